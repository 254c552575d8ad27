#include "auth/encoding.hpp"

#include <sodium.h>

#include "auth/random.hpp"

namespace berth::auth {

namespace {

// libsodium 1.0.18's base64 decoder reads each `char` as a signed int, so every byte >= 0x80
// decodes as some base64 digit (found by fuzz_api_token) and one value would have many
// spellings. No valid input has such bytes; ORing them all keeps the check constant time.
bool is_ascii(std::string_view text) {
  unsigned char any = 0;
  for (const char c : text)
    any = static_cast<unsigned char>(any | static_cast<unsigned char>(c));
  return (any & 0x80) == 0;
}

std::string encode_base64(std::string_view bytes, int variant) {
  ensure_sodium_initialized();
  // The encoded length counts the terminating NUL that libsodium writes.
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  text.pop_back();
  return text;
}

result<std::string> decode_base64(std::string_view text, int variant, const char* name) {
  ensure_sodium_initialized();
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  std::size_t size = 0;
  // Without an end pointer libsodium fails unless every character was consumed.
  if (!is_ascii(text) ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &size, nullptr, variant) != 0)
    return fail(error_code::invalid_encoding, std::string("not valid ") + name);
  bytes.resize(size);
  return bytes;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  return encode_base64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

result<std::string> base64url_decode(std::string_view text) {
  return decode_base64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "unpadded base64url");
}

std::string base64_encode(std::string_view bytes) {
  return encode_base64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

result<std::string> base64_decode(std::string_view text) {
  return decode_base64(text, sodium_base64_VARIANT_ORIGINAL, "padded base64");
}

std::string hex_encode(std::string_view bytes) {
  std::string text(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  text.pop_back();
  return text;
}

result<std::string> hex_decode(std::string_view text) {
  std::string bytes(text.size() / 2, '\0');
  std::size_t size = 0;
  if (text.size() % 2 != 0 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                     text.size(), nullptr, &size, nullptr) != 0)
    return fail(error_code::invalid_encoding, "not valid hexadecimal");
  bytes.resize(size);
  return bytes;
}

}  // namespace berth::auth
