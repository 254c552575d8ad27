#pragma once

#include <string>
#include <string_view>

#include "auth/error.hpp"

namespace berth::auth {

// All codecs here run in constant time with respect to the bytes (libsodium's), since they
// also carry keys and token secrets; decoders are strict: one accepted spelling per value.

/// Base64url without padding (RFC 4648 section 5, as JWS uses it: RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);

/// Decodes unpadded base64url; rejects padding, whitespace, other characters, a length of
/// 1 mod 4 and non-zero trailing bits.
result<std::string> base64url_decode(std::string_view text);

/// Standard base64 with `=` padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);

/// Decodes padded standard base64; rejects missing or extra padding and non-zero trailing bits.
result<std::string> base64_decode(std::string_view text);

/// Lower-case hexadecimal (RFC 4648 section 8, base16).
std::string hex_encode(std::string_view bytes);

/// Decodes hexadecimal of either case; rejects odd lengths and any other character.
result<std::string> hex_decode(std::string_view text);

}  // namespace berth::auth
