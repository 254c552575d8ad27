#include "auth/secret_box.hpp"

#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/random.hpp"

namespace berth::auth {

namespace {

constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

struct cipher_context_free {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using cipher_context = std::unique_ptr<EVP_CIPHER_CTX, cipher_context_free>;

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* bytes_of(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

// Appends a 4-byte big-endian length and the text, so field boundaries are unambiguous.
void append_field(std::string& out, std::string_view field) {
  const auto size = static_cast<std::uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  out += field;
}

// The version byte is authenticated too, so a future format cannot be downgraded to this one.
std::string full_associated_data(std::string_view associated_data) {
  std::string full(1, static_cast<char>(secret_box_version));
  full += associated_data;
  return full;
}

result<std::string> fail_internal() {
  return fail(error_code::internal, "AES-256-GCM failed in OpenSSL");
}

}  // namespace

result<void> check_secret_name(std::string_view name) {
  const auto is_first = [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; };
  const auto is_rest = [&](char c) { return is_first(c) || (c >= '0' && c <= '9'); };
  bool valid = !name.empty() && name.size() <= max_secret_name_size && is_first(name[0]);
  for (std::size_t i = 1; valid && i < name.size(); ++i)
    valid = is_rest(name[i]);
  if (!valid)
    return fail(error_code::invalid_secret_name,
                "secret names are 1 to 128 of A-Z, 0-9 and _, not starting with a digit");
  return {};
}

bool is_reserved_environment_name(std::string_view name) {
  // The shell's and the session's own variables (bash(1) "Shell Variables", environ(7)).
  static constexpr std::string_view reserved[] = {
      "PATH",           "HOME",     "SHELL",  "TERM",
      "USER",           "LOGNAME",  "PWD",    "OLDPWD",
      "HOSTNAME",       "IFS",      "ENV",    "BASH_ENV",
      "SHELLOPTS",      "BASHOPTS", "CDPATH", "GLOBIGNORE",
      "PROMPT_COMMAND", "PS4",      "TMPDIR", "GCONV_PATH",
      "LOCPATH"};
  for (const auto word : reserved) {
    if (name == word) return true;
  }
  // ld.so(8) reads every LD_* variable; BERTH_* is Berth's namespace.
  return name.starts_with("LD_") || name.starts_with("BERTH_");
}

result<std::string> secret_associated_data(std::string_view user_id, std::string_view name) {
  if (auto valid = check_secret_name(name); !valid) return tl::unexpected(valid.error());
  std::string data("berth secret\n");
  append_field(data, user_id);
  append_field(data, name);
  return data;
}

result<std::string> seal(std::string_view value, const secret_key& data_key,
                         std::string_view associated_data) {
  if (value.size() > max_secret_value_size)
    return fail(error_code::value_too_large, "secret values are at most 64 KiB");
  if (associated_data.size() > max_associated_data_size)
    return fail(error_code::value_too_large, "associated data is at most 4 KiB");
  const std::string full_data = full_associated_data(associated_data);
  // A random 96-bit nonce per message: NIST SP 800-38D section 8.3 allows 2^32 messages per
  // key, far beyond the secrets one user stores.
  std::string sealed = full_data.substr(0, 1) + random_bytes(nonce_size);
  sealed.resize(sealed.size() + value.size() + tag_size);
  unsigned char* nonce = bytes_of(sealed) + 1;
  unsigned char* ciphertext = nonce + nonce_size;
  unsigned char* tag = ciphertext + value.size();
  const cipher_context context(EVP_CIPHER_CTX_new());
  int written = 0;
  if (!context ||
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, data_key.data(), nonce) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &written, bytes_of(full_data),
                        static_cast<int>(full_data.size())) != 1)
    return fail_internal();
  if (!value.empty() && EVP_EncryptUpdate(context.get(), ciphertext, &written, bytes_of(value),
                                          static_cast<int>(value.size())) != 1)
    return fail_internal();
  if (EVP_EncryptFinal_ex(context.get(), ciphertext + value.size(), &written) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_GET_TAG, tag_size, tag) != 1)
    return fail_internal();
  return sealed;
}

result<std::string> open(std::string_view sealed, const secret_key& data_key,
                         std::string_view associated_data) {
  if (sealed.empty() || static_cast<std::uint8_t>(sealed[0]) != secret_box_version)
    return fail(error_code::unsupported_version, "unknown secret format version");
  if (sealed.size() < secret_box_overhead ||
      sealed.size() > secret_box_overhead + max_secret_value_size ||
      associated_data.size() > max_associated_data_size)
    return fail(error_code::decryption_failed, "ciphertext has an impossible size");
  const std::string full_data = full_associated_data(associated_data);
  const auto* nonce = bytes_of(sealed) + 1;
  const auto* ciphertext = nonce + nonce_size;
  const std::size_t ciphertext_size = sealed.size() - secret_box_overhead;
  // OpenSSL only reads the expected tag, but its ctrl interface takes a non-const pointer.
  std::string tag(sealed.substr(sealed.size() - tag_size));
  std::string value(ciphertext_size, '\0');
  const cipher_context context(EVP_CIPHER_CTX_new());
  int written = 0;
  if (!context ||
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, data_key.data(), nonce) != 1 ||
      EVP_DecryptUpdate(context.get(), nullptr, &written, bytes_of(full_data),
                        static_cast<int>(full_data.size())) != 1 ||
      (ciphertext_size > 0 &&
       EVP_DecryptUpdate(context.get(), bytes_of(value), &written, ciphertext,
                         static_cast<int>(ciphertext_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_SET_TAG, tag_size, tag.data()) != 1)
    return fail_internal();
  if (EVP_DecryptFinal_ex(context.get(), bytes_of(value) + ciphertext_size, &written) != 1) {
    // The tag did not match: whatever was decrypted is unauthenticated, wipe it.
    OPENSSL_cleanse(value.data(), value.size());
    return fail(error_code::decryption_failed,
                "wrong key, wrong owner or name, or altered ciphertext");
  }
  return value;
}

result<std::string> wrap_key(const secret_key& data_key, const secret_key& master_key,
                             std::string_view user_id) {
  std::string data("berth data key\n");
  append_field(data, user_id);
  return seal(data_key.bytes(), master_key, data);
}

result<secret_key> unwrap_key(std::string_view wrapped, const secret_key& master_key,
                              std::string_view user_id) {
  std::string data("berth data key\n");
  append_field(data, user_id);
  auto bytes = open(wrapped, master_key, data);
  if (!bytes) return tl::unexpected(bytes.error());
  auto key = secret_key::from_bytes(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  if (!key) return fail(error_code::decryption_failed, "wrapped data key has the wrong size");
  return key;
}

}  // namespace berth::auth
