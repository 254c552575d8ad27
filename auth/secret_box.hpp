#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/error.hpp"
#include "auth/key.hpp"

namespace berth::auth {

// Envelope encryption of user secrets with AES-256-GCM (NIST SP 800-38D): the master key
// wraps one data key per user, the data key seals each secret value. Every ciphertext is
//   version (1 byte, = 1) || nonce (12 random bytes) || ciphertext || tag (16 bytes)
// and authenticates the version byte followed by the caller's associated data.

/// The format version written as the first byte of every ciphertext.
inline constexpr std::uint8_t secret_box_version = 1;

/// Bytes a ciphertext adds to its plaintext: version, nonce and tag.
inline constexpr std::size_t secret_box_overhead = 1 + 12 + 16;

/// Largest secret value accepted: Linux refuses longer single environment strings anyway.
inline constexpr std::size_t max_secret_value_size = 64 * 1024;

/// Largest associated data accepted (the user id and the secret name fit easily).
inline constexpr std::size_t max_associated_data_size = 4096;

/// Longest secret name, in characters.
inline constexpr std::size_t max_secret_name_size = 128;

/// Succeeds for environment-variable names `[A-Z_][A-Z0-9_]{0,127}`, e.g. ANTHROPIC_API_KEY.
result<void> check_secret_name(std::string_view name);

/// True for names a shell or the dynamic loader reads to decide how it runs (`PATH`, `HOME`,
/// `SHELL`, `TERM`, `ENV`, `BASH_ENV`, `IFS`, `LD_*`, ...) and for Berth's own `BERTH_*`: a
/// secret by such a name would change or break every new shell of its owner, so none may
/// be set (the API says why) and any stored before is left out of shells.
bool is_reserved_environment_name(std::string_view name);

/// The associated data that binds a secret's ciphertext to its owner and name, so a
/// ciphertext copied to another user or name fails to open; checks the name first.
result<std::string> secret_associated_data(std::string_view user_id, std::string_view name);

/// Encrypts `value` under `data_key` with a fresh random nonce, authenticating
/// `associated_data`.
result<std::string> seal(std::string_view value, const secret_key& data_key,
                         std::string_view associated_data);

/// Decrypts what `seal` made; `decryption_failed` for a wrong key, other associated data or
/// any altered byte, `unsupported_version` for an unknown format. Never returns unverified
/// plaintext.
result<std::string> open(std::string_view sealed, const secret_key& data_key,
                         std::string_view associated_data);

/// Encrypts a user's data key under the master key, bound to `user_id`.
result<std::string> wrap_key(const secret_key& data_key, const secret_key& master_key,
                             std::string_view user_id);

/// Decrypts a data key that `wrap_key` made for `user_id`.
result<secret_key> unwrap_key(std::string_view wrapped, const secret_key& master_key,
                              std::string_view user_id);

}  // namespace berth::auth
