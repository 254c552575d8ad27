#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace berth::auth {

/// What went wrong in an auth call; the HTTP layer maps each to one status code.
enum class error_code {
  password_too_short,       ///< fewer bytes than the password policy allows (422)
  password_too_long,        ///< more bytes than the password policy allows (422)
  password_not_utf8,        ///< the password is not valid UTF-8 (422)
  wrong_password,           ///< the password does not match the stored hash (401)
  malformed_password_hash,  ///< the stored hash is not an Argon2id string (a data bug)
  malformed_token,          ///< a JWT or API token that is not well formed (401)
  token_too_large,          ///< a token longer than the size limit (401)
  unsupported_algorithm,    ///< a JWT whose `alg` is not HS256, `none` included (401)
  bad_signature,            ///< a JWT whose signature does not match (401)
  token_expired,            ///< a JWT at or past its `exp` (401)
  invalid_claims,           ///< JWT claims missing, of the wrong type or inconsistent
  invalid_encoding,         ///< text that is not the expected hex or base64
  invalid_key,              ///< key material of the wrong size or form
  decryption_failed,        ///< a wrong key, wrong associated data or a tampered ciphertext
  unsupported_version,      ///< a ciphertext whose format version this code does not know
  invalid_secret_name,      ///< a secret name that is not an environment-variable name (422)
  value_too_large,          ///< a secret value above the size limit (413)
  internal,                 ///< the crypto library failed (out of memory); may be retried
};

/// A typed auth error with a message that never contains secret material.
struct error {
  error_code code = error_code::internal;
  std::string message;
};

/// The result of an auth call: a value or a typed error, never an exception.
template <class T>
using result = tl::expected<T, error>;

/// Builds the unexpected half of a result.
inline tl::unexpected<error> fail(error_code code, std::string message) {
  return tl::unexpected<error>(error{code, std::move(message)});
}

/// Stable lower-case name of an error code, e.g. "bad_signature", for logs and API responses.
std::string_view to_string(error_code code);

/// Writes the name of an error code, so test failures show "token_expired", not a number.
std::ostream& operator<<(std::ostream& out, error_code code);

}  // namespace berth::auth
