// JSON Web Tokens with HMAC-SHA-256 only: RFC 7519 (JWT), RFC 7515 (JWS), RFC 7518 (HS256).
#include "auth/jwt.hpp"

#include <array>
#include <cstdint>

#include <simdjson.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/constant_time.hpp"
#include "auth/digest.hpp"
#include "auth/encoding.hpp"
#include "auth/random.hpp"

namespace berth::auth {

namespace {

// 9999-12-31T23:59:59Z. Bounding NumericDates keeps every conversion to the clock's
// nanoseconds far from overflow.
constexpr std::int64_t max_numeric_date = 253402300799;

// Characters of a random `jti`: about 131 bits, so ids never collide.
constexpr std::size_t token_id_size = 22;

bool valid_claim_text(std::string_view text) {
  return !text.empty() && text.size() <= max_claim_size &&
         simdjson::validate_utf8(text.data(), text.size());
}

bool valid_numeric_date(std::int64_t seconds) {
  return seconds >= 0 && seconds <= max_numeric_date;
}

result<void> check_secret(std::string_view secret) {
  if (secret.size() < min_jwt_secret_size)
    return fail(error_code::invalid_key,
                "JWT secret must be at least " + std::to_string(min_jwt_secret_size) + " bytes");
  return {};
}

result<void> check_claims(const jwt_claims& claims) {
  const auto issued = claims.issued_at.time_since_epoch().count();
  const auto expires = claims.expires_at.time_since_epoch().count();
  if (!valid_claim_text(claims.subject))
    return fail(error_code::invalid_claims, "sub must be 1 to 256 bytes of UTF-8");
  if (!valid_claim_text(claims.token_id))
    return fail(error_code::invalid_claims, "jti must be 1 to 256 bytes of UTF-8");
  if (!valid_numeric_date(issued) || !valid_numeric_date(expires))
    return fail(error_code::invalid_claims, "iat and exp must be between 1970 and 9999");
  if (expires <= issued) return fail(error_code::invalid_claims, "exp must be after iat");
  return {};
}

// Walks a JSON object's members once, refusing duplicate names (RFC 7519 section 4 allows
// rejecting them; taking one of two `sub` values silently is how parser confusion starts)
// and more than 16 members (a Berth token has four claims and two header parameters).
template <class OnMember>
result<void> for_each_member(std::string_view json, OnMember on_member) {
  // One parser per thread: a fresh one allocates its buffers on every request. Not reentrant,
  // and need not be: `on_member` never parses.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get_object().get(object))
    return fail(error_code::malformed_token, "not a JSON object");
  std::array<std::string_view, 16> seen{};
  std::size_t seen_count = 0;
  for (const auto member : object) {
    for (std::size_t i = 0; i < seen_count; ++i) {
      if (seen[i] == member.key) return fail(error_code::malformed_token, "duplicate member");
    }
    if (seen_count == seen.size()) return fail(error_code::malformed_token, "too many members");
    seen[seen_count++] = member.key;
    if (auto handled = on_member(member.key, member.value); !handled) return handled;
  }
  return {};
}

result<void> check_header(std::string_view json) {
  bool has_algorithm = false;
  auto checked = for_each_member(json, [&](std::string_view name, simdjson::dom::element value) {
    std::string_view text;
    if (name == "alg") {
      if (value.get_string().get(text) || text != "HS256")
        return result<void>(fail(error_code::unsupported_algorithm, "alg must be HS256"));
      has_algorithm = true;
    } else if (name == "typ") {
      // RFC 7519 section 5.1: "JWT" is the recommended spelling, compared case-insensitively.
      if (value.get_string().get(text) || text.size() != 3 || (text[0] | 0x20) != 'j' ||
          (text[1] | 0x20) != 'w' || (text[2] | 0x20) != 't')
        return result<void>(fail(error_code::malformed_token, "typ must be JWT"));
    } else if (name == "crit") {
      // RFC 7515 section 4.1.11: extensions listed as critical must be understood; we know none.
      return result<void>(fail(error_code::malformed_token, "crit extensions are not supported"));
    }
    return result<void>();
  });
  if (!checked) return checked;
  if (!has_algorithm) return fail(error_code::unsupported_algorithm, "alg is missing");
  return {};
}

result<jwt_claims> parse_claims(std::string_view json) {
  // Missing claims keep these invalid defaults, which the checks below reject.
  jwt_claims claims;
  std::int64_t issued_at = -1;
  std::int64_t expires_at = -1;
  auto parsed = for_each_member(json, [&](std::string_view name, simdjson::dom::element value) {
    // Strings are copied here: they point into the parser, which dies with for_each_member.
    std::string_view text;
    simdjson::error_code failed = simdjson::SUCCESS;
    if (name == "sub" && !(failed = value.get(text))) claims.subject = text;
    if (name == "jti" && !(failed = value.get(text))) claims.token_id = text;
    if (name == "iat") failed = value.get(issued_at);
    if (name == "exp") failed = value.get(expires_at);
    if (failed) return result<void>(fail(error_code::invalid_claims, "claim of the wrong type"));
    return result<void>();
  });
  if (!parsed) {
    // A payload that is not a JSON object is a claims problem, not a token-structure one.
    parsed.error().code = error_code::invalid_claims;
    return tl::unexpected(parsed.error());
  }
  if (!valid_numeric_date(issued_at) || !valid_numeric_date(expires_at))
    return fail(error_code::invalid_claims, "iat and exp are required, between 1970 and 9999");
  claims.issued_at = std::chrono::sys_seconds{std::chrono::seconds{issued_at}};
  claims.expires_at = std::chrono::sys_seconds{std::chrono::seconds{expires_at}};
  if (auto valid = check_claims(claims); !valid) return tl::unexpected(valid.error());
  return claims;
}

}  // namespace

jwt_claims make_session_claims(std::string subject, std::chrono::system_clock::time_point now,
                               std::chrono::seconds lifetime) {
  const auto issued = std::chrono::floor<std::chrono::seconds>(now);
  return {std::move(subject), issued, issued + lifetime, random_id(token_id_size)};
}

result<std::string> sign_jwt(const jwt_claims& claims, std::string_view secret) {
  if (auto valid = check_secret(secret); !valid) return tl::unexpected(valid.error());
  if (auto valid = check_claims(claims); !valid) return tl::unexpected(valid.error());
  const boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}};
  const boost::json::object payload{{"sub", claims.subject},
                                    {"iat", claims.issued_at.time_since_epoch().count()},
                                    {"exp", claims.expires_at.time_since_epoch().count()},
                                    {"jti", claims.token_id}};
  std::string token = base64url_encode(boost::json::serialize(header));
  token += '.';
  token += base64url_encode(boost::json::serialize(payload));
  const std::string signature = hmac_sha256(secret, token);
  token += '.';
  token += base64url_encode(signature);
  if (token.size() > max_jwt_size)
    return fail(error_code::invalid_claims, "claims make the token longer than 4 KiB");
  return token;
}

result<std::string> verify_jws_hs256(std::string_view token, std::string_view secret) {
  if (auto valid = check_secret(secret); !valid) return tl::unexpected(valid.error());
  if (token.size() > max_jwt_size)
    return fail(error_code::token_too_large, "token is longer than 4 KiB");
  const auto first_dot = token.find('.');
  const auto second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos)
    return fail(error_code::malformed_token, "a JWS has exactly three segments");
  const auto header = base64url_decode(token.substr(0, first_dot));
  const auto payload = base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  const auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!header || !payload || !signature)
    return fail(error_code::malformed_token, "a segment is not unpadded base64url");
  // The header is checked first so that `alg: none` and friends get a precise error; HS256 is
  // the only algorithm computed either way, so the header cannot pick a weaker one.
  if (auto valid = check_header(*header); !valid) return tl::unexpected(valid.error());
  const std::string expected = hmac_sha256(secret, token.substr(0, second_dot));
  if (!constant_time_equal(expected, *signature))
    return fail(error_code::bad_signature, "signature does not match");
  return *payload;
}

result<jwt_claims> verify_jwt(std::string_view token, std::string_view secret,
                              std::chrono::system_clock::time_point now) {
  const auto payload = verify_jws_hs256(token, secret);
  if (!payload) return tl::unexpected(payload.error());
  auto claims = parse_claims(*payload);
  if (!claims) return claims;
  const auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  if (claims->issued_at > now_seconds + allowed_clock_skew)
    return fail(error_code::invalid_claims, "iat is in the future");
  // RFC 7519 section 4.1.4: the current time must be before exp.
  if (now_seconds >= claims->expires_at) return fail(error_code::token_expired, "token expired");
  return claims;
}

}  // namespace berth::auth
