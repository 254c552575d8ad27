#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "auth/error.hpp"

namespace berth::auth {

/// Longest token accepted: a Berth session JWT is about 250 bytes, and cookies stop near 4 KiB.
inline constexpr std::size_t max_jwt_size = 4096;

/// Shortest HS256 secret accepted: RFC 7518 section 3.2 asks for at least the hash size.
inline constexpr std::size_t min_jwt_secret_size = 32;

/// Longest `sub` or `jti` accepted, in bytes.
inline constexpr std::size_t max_claim_size = 256;

/// Clock difference between Berth nodes tolerated for a token's `iat`.
inline constexpr std::chrono::seconds allowed_clock_skew{60};

/// The claims of a Berth session token (RFC 7519 section 4.1); all four are required.
struct jwt_claims {
  std::string subject;                    ///< `sub`: the user id
  std::chrono::sys_seconds issued_at{};   ///< `iat`: when the token was made
  std::chrono::sys_seconds expires_at{};  ///< `exp`: the first second it is no longer valid
  std::string token_id;                   ///< `jti`: random, so one session can be revoked

  /// Claims are equal when all four fields are.
  bool operator==(const jwt_claims&) const = default;
};

/// Claims for a new session of `subject`, valid from `now` for `lifetime`, with a fresh `jti`.
jwt_claims make_session_claims(std::string subject, std::chrono::system_clock::time_point now,
                               std::chrono::seconds lifetime);

/// Signs `claims` as a compact JWS with header {"alg":"HS256","typ":"JWT"} (RFC 7515 section
/// 7.1); fails on a secret shorter than 32 bytes or claims that would not verify.
result<std::string> sign_jwt(const jwt_claims& claims, std::string_view secret);

/// Checks the structure, the header (`alg` must be HS256) and the HMAC-SHA-256 signature of a
/// compact JWS, comparing in constant time, and returns the decoded payload bytes.
result<std::string> verify_jws_hs256(std::string_view token, std::string_view secret);

/// Verifies a session token as `verify_jws_hs256` does, then its claims: all four present
/// with the right types, `iat` not after `now` plus the allowed skew, and `now` before `exp`.
result<jwt_claims> verify_jwt(std::string_view token, std::string_view secret,
                              std::chrono::system_clock::time_point now);

}  // namespace berth::auth
