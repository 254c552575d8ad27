#include "auth/api_token.hpp"

#include "auth/constant_time.hpp"
#include "auth/digest.hpp"
#include "auth/encoding.hpp"
#include "auth/random.hpp"

namespace berth::auth {

namespace {

bool is_id_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

new_api_token generate_api_token() {
  const api_token token{random_id(api_token_id_size), random_bytes(api_token_secret_size)};
  return {token.id, format_api_token(token), hash_token_secret(token.secret)};
}

std::string format_api_token(const api_token& token) {
  std::string text(api_token_prefix);
  text += token.id;
  text += '_';
  text += base64url_encode(token.secret);
  return text;
}

result<api_token> parse_api_token(std::string_view text) {
  // Fixed sizes make the split unambiguous although base64url secrets may contain '_'.
  constexpr std::size_t separator = api_token_prefix.size() + api_token_id_size;
  if (text.size() != api_token_size || !text.starts_with(api_token_prefix) ||
      text[separator] != '_')
    return fail(error_code::malformed_token, "not a Berth API token");
  const auto id = text.substr(api_token_prefix.size(), api_token_id_size);
  for (const char c : id) {
    if (!is_id_character(c)) return fail(error_code::malformed_token, "not a Berth API token");
  }
  auto secret = base64url_decode(text.substr(separator + 1));
  if (!secret || secret->size() != api_token_secret_size)
    return fail(error_code::malformed_token, "not a Berth API token");
  return api_token{std::string(id), std::move(*secret)};
}

std::string hash_token_secret(std::string_view secret) {
  return hex_encode(sha256(secret));
}

bool verify_token_secret(std::string_view secret, std::string_view stored_hash) {
  const auto stored = hex_decode(stored_hash);
  return stored && constant_time_equal(sha256(secret), *stored);
}

}  // namespace berth::auth
