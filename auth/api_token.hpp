#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "auth/error.hpp"

namespace berth::auth {

/// Every API token starts with this, so secret scanners and people can recognise one.
inline constexpr std::string_view api_token_prefix = "berth_";

/// Characters of a token's public id, from [A-Za-z0-9].
inline constexpr std::size_t api_token_id_size = 12;

/// Random bytes of a token's secret.
inline constexpr std::size_t api_token_secret_size = 32;

/// Characters of a whole token: `berth_` + 12-character id + `_` + 43 characters of base64url.
inline constexpr std::size_t api_token_size = 62;

/// A token as presented by a client: the id to look up and the raw 32-byte secret.
struct api_token {
  std::string id;
  std::string secret;
};

/// A freshly generated token: show `text` to the user once, store only `id` and `secret_hash`.
struct new_api_token {
  std::string id;           ///< lookup key, not secret
  std::string text;         ///< `berth_<id>_<secret>`, the only copy of the secret
  std::string secret_hash;  ///< lower-case hex SHA-256 of the raw secret
};

/// Makes a token with a random id and a 32-byte random secret.
new_api_token generate_api_token();

/// Spells a token as `berth_<id>_<base64url secret>`.
std::string format_api_token(const api_token& token);

/// Splits `berth_<id>_<secret>` into id and raw secret; `malformed_token` for anything else.
result<api_token> parse_api_token(std::string_view text);

/// Lower-case hex SHA-256 of a raw secret: what the database stores. A 256-bit random secret
/// needs no salt or slow hash; a plain digest keeps every API call cheap.
std::string hash_token_secret(std::string_view secret);

/// True when `secret` hashes to `stored_hash` (hex), compared in constant time.
bool verify_token_secret(std::string_view secret, std::string_view stored_hash);

}  // namespace berth::auth
