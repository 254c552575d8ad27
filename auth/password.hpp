#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/error.hpp"

namespace berth::auth {

/// Fewest bytes a new password may have (NIST SP 800-63B section 5.1.1.2).
inline constexpr std::size_t min_password_size = 8;

/// Most bytes a password may have: long passphrases fit, megabyte bodies do not.
inline constexpr std::size_t max_password_size = 1024;

/// Argon2id cost parameters; a stored hash records its own, so raising them only affects new
/// hashes (and `needs_rehash` tells the login path to upgrade old ones).
struct password_limits {
  std::uint64_t operations = 0;  ///< passes over memory (libsodium `opslimit`)
  std::size_t memory_bytes = 0;  ///< memory per hash (libsodium `memlimit`)

  /// libsodium's interactive limits (2 passes, 64 MiB): the default for logins.
  static password_limits interactive();
  /// The smallest limits Argon2id accepts (1 pass, 8 KiB): for tests only.
  static password_limits minimum();
};

/// Checks a new password against the policy: 8 to 1024 bytes of valid UTF-8.
result<void> check_password_policy(std::string_view password);

/// Checks the policy, then hashes with Argon2id into libsodium's self-describing string
/// (`$argon2id$v=19$m=...,t=...,p=1$salt$hash`), with a fresh random salt.
result<std::string> hash_password(std::string_view password,
                                  const password_limits& limits = password_limits::interactive());

/// Succeeds when `password` matches `stored_hash`; `wrong_password` otherwise, and
/// `malformed_password_hash` when the stored string is not an Argon2id hash.
result<void> verify_password(std::string_view password, std::string_view stored_hash);

/// True when `stored_hash` was made with other limits than `limits` (or is not an Argon2id
/// hash), so a login that just verified the password should store a fresh hash.
bool needs_rehash(std::string_view stored_hash,
                  const password_limits& limits = password_limits::interactive());

}  // namespace berth::auth
