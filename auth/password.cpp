#include "auth/password.hpp"

#include <array>

#include <simdjson.h>
#include <sodium.h>

#include "auth/random.hpp"

namespace berth::auth {

namespace {

using hash_buffer = std::array<char, crypto_pwhash_STRBYTES>;

// libsodium reads stored hashes as NUL-terminated C strings of at most STRBYTES - 1 characters.
bool copy_hash(std::string_view stored_hash, hash_buffer& buffer) {
  if (stored_hash.size() >= buffer.size() || stored_hash.find('\0') != std::string_view::npos)
    return false;
  buffer.fill('\0');
  stored_hash.copy(buffer.data(), stored_hash.size());
  return true;
}

// -1: not an Argon2id string; 0: made with `limits`; 1: made with other limits. The
// Argon2id-specific call is used because the generic one also accepts Argon2i strings.
int rehash_status(const hash_buffer& buffer, const password_limits& limits) {
  return crypto_pwhash_argon2id_str_needs_rehash(buffer.data(), limits.operations,
                                                 limits.memory_bytes);
}

}  // namespace

password_limits password_limits::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

password_limits password_limits::minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

result<void> check_password_policy(std::string_view password) {
  if (password.size() < min_password_size)
    return fail(error_code::password_too_short,
                "password must be at least " + std::to_string(min_password_size) + " bytes");
  if (password.size() > max_password_size)
    return fail(error_code::password_too_long,
                "password must be at most " + std::to_string(max_password_size) + " bytes");
  if (!simdjson::validate_utf8(password.data(), password.size()))
    return fail(error_code::password_not_utf8, "password must be valid UTF-8");
  return {};
}

result<std::string> hash_password(std::string_view password, const password_limits& limits) {
  if (auto policy = check_password_policy(password); !policy) return tl::unexpected(policy.error());
  ensure_sodium_initialized();
  hash_buffer buffer{};
  // Pinned to Argon2id rather than libsodium's default, which a future release may change.
  if (crypto_pwhash_str_alg(buffer.data(), password.data(), password.size(), limits.operations,
                            limits.memory_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(error_code::internal,
                "Argon2id hashing failed: out of memory or limits out of range");
  return std::string(buffer.data());
}

result<void> verify_password(std::string_view password, std::string_view stored_hash) {
  ensure_sodium_initialized();
  hash_buffer buffer{};
  if (!copy_hash(stored_hash, buffer) || rehash_status(buffer, password_limits::minimum()) < 0)
    return fail(error_code::malformed_password_hash, "stored password hash is not Argon2id");
  // No stored password can be longer than the policy allows, so skip the expensive hash.
  if (password.size() > max_password_size ||
      crypto_pwhash_str_verify(buffer.data(), password.data(), password.size()) != 0)
    return fail(error_code::wrong_password, "wrong password");
  return {};
}

bool needs_rehash(std::string_view stored_hash, const password_limits& limits) {
  ensure_sodium_initialized();
  hash_buffer buffer{};
  return !copy_hash(stored_hash, buffer) || rehash_status(buffer, limits) != 0;
}

}  // namespace berth::auth
