#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace berth::auth {

/// Size in bytes of a SHA-256 digest and of an HMAC-SHA-256 tag.
inline constexpr std::size_t sha256_size = 32;

/// The raw 32-byte SHA-256 digest of `data` (FIPS 180-4).
std::string sha256(std::string_view data);

/// The raw 32-byte HMAC-SHA-256 of `data` under `key` (RFC 2104).
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace berth::auth
