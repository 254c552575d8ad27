#include "auth/key.hpp"

#include <openssl/crypto.h>
#include <sodium.h>

#include "auth/encoding.hpp"
#include "auth/random.hpp"

namespace berth::auth {

namespace {

constexpr std::size_t hex_key_size = 2 * secret_key::size;
constexpr std::size_t base64_key_size = 44;

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

}  // namespace

result<secret_key> secret_key::from_bytes(std::string_view bytes) {
  if (bytes.size() != size) return fail(error_code::invalid_key, "a key must be exactly 32 bytes");
  secret_key key;
  bytes.copy(reinterpret_cast<char*>(key.bytes_.data()), size);
  return key;
}

secret_key::secret_key(secret_key&& other) noexcept : bytes_(other.bytes_) {
  OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
}

secret_key& secret_key::operator=(secret_key&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

secret_key::~secret_key() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

secret_key generate_key() {
  ensure_sodium_initialized();
  std::array<char, secret_key::size> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  auto key = secret_key::from_bytes({bytes.data(), bytes.size()});
  OPENSSL_cleanse(bytes.data(), bytes.size());
  // from_bytes cannot fail: the size is the key size by construction.
  return std::move(*key);
}

result<secret_key> parse_master_key(std::string_view text) {
  const auto trimmed = trim(text);
  result<std::string> decoded = fail(error_code::invalid_encoding, "");
  if (trimmed.size() == hex_key_size) decoded = hex_decode(trimmed);
  if (trimmed.size() == base64_key_size) decoded = base64_decode(trimmed);
  result<secret_key> key = fail(error_code::invalid_key, "");
  if (decoded) {
    key = secret_key::from_bytes(*decoded);
    OPENSSL_cleanse(decoded->data(), decoded->size());
  }
  if (!key)
    return fail(error_code::invalid_key,
                "BERTH_MASTER_KEY must be 32 bytes as 64 hex characters or 44 characters of "
                "padded base64 (make one with `openssl rand -hex 32`)");
  if (sodium_is_zero(key->data(), secret_key::size))
    return fail(error_code::invalid_key, "BERTH_MASTER_KEY is all zeros: a placeholder, not a key");
  return key;
}

}  // namespace berth::auth
