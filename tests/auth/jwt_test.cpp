#include "auth/jwt.hpp"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/digest.hpp"
#include "auth/encoding.hpp"

namespace berth::auth {

namespace {

using std::chrono::seconds;

const std::string secret = "0123456789abcdef0123456789abcdef";
const std::chrono::system_clock::time_point now{seconds{1'700'000'000}};

// Signs arbitrary header and payload JSON, to reach the checks behind the signature.
std::string signed_token(std::string_view header, std::string_view payload,
                         std::string_view key = secret) {
  std::string token = base64url_encode(header) + "." + base64url_encode(payload);
  return token + "." + base64url_encode(hmac_sha256(key, token));
}

std::string valid_payload() {
  return R"({"sub":"user-1","iat":1700000000,"exp":1700003600,"jti":"abc"})";
}

error_code verify_error(std::string_view token) {
  const auto verified = verify_jwt(token, secret, now);
  return verified ? error_code::internal : verified.error().code;
}

}  // namespace

TEST(jwt, round_trips_session_claims) {
  const auto claims = make_session_claims("user-42", now, std::chrono::hours{12});
  const auto token = sign_jwt(claims, secret);
  ASSERT_TRUE(token) << token.error().message;
  const auto verified = verify_jwt(*token, secret, now);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(*verified, claims);
  EXPECT_EQ(verified->subject, "user-42");
  EXPECT_EQ(verified->expires_at - verified->issued_at, std::chrono::hours{12});
}

TEST(jwt, writes_an_hs256_header_and_the_four_claims) {
  jwt_claims claims{"user-1", std::chrono::sys_seconds{seconds{1'700'000'000}},
                    std::chrono::sys_seconds{seconds{1'700'003'600}}, "abc"};
  const auto token = sign_jwt(claims, secret).value();
  EXPECT_EQ(token, signed_token(R"({"alg":"HS256","typ":"JWT"})", valid_payload()));
}

TEST(jwt, makes_a_fresh_token_id_for_every_session) {
  std::set<std::string> ids;
  for (int i = 0; i < 1'000; ++i)
    ids.insert(make_session_claims("user-1", now, seconds{60}).token_id);
  EXPECT_EQ(ids.size(), 1'000u);
  EXPECT_EQ(ids.begin()->size(), 22u);
}

TEST(jws, verifies_the_rfc_7515_appendix_a1_example) {
  const std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const auto key =
      base64url_decode(
          "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjA"
          "zZr1Z9CAow")
          .value();
  const auto payload = verify_jws_hs256(token, key);
  ASSERT_TRUE(payload) << payload.error().message;
  EXPECT_EQ(*payload,
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  // A valid signature is not enough for a session: the example has no sub, iat or jti.
  const auto session = verify_jwt(token, key, now);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().code, error_code::invalid_claims);
  // One flipped signature bit and the example no longer verifies.
  std::string tampered = token;
  tampered[tampered.size() - 5] ^= 0x01;
  EXPECT_FALSE(verify_jws_hs256(tampered, key));
}

TEST(jwt, rejects_every_single_character_change) {
  const auto token =
      sign_jwt(make_session_claims("user-1", now, std::chrono::hours{1}), secret).value();
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char replacement :
         {char(token[i] ^ 0x01), char(token[i] ^ 0x20), char(token[i] | 0x80), '.', 'A', '='}) {
      if (replacement == token[i]) continue;
      std::string tampered = token;
      tampered[i] = replacement;
      EXPECT_FALSE(verify_jwt(tampered, secret, now)) << "position " << i;
    }
  }
}

TEST(jwt, rejects_alg_none_and_every_other_algorithm) {
  const auto payload = valid_payload();
  const std::string unsigned_token =
      base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(payload) + ".";
  EXPECT_EQ(verify_error(unsigned_token), error_code::unsupported_algorithm);
  for (const std::string header :
       {R"({"alg":"none"})", R"({"alg":"HS512"})", R"({"alg":"hs256"})", R"({"alg":"RS256"})",
        R"({"alg":256})", R"({"alg":null})", R"({"typ":"JWT"})", R"({})"}) {
    EXPECT_EQ(verify_error(signed_token(header, payload)), error_code::unsupported_algorithm)
        << header;
  }
}

TEST(jwt, accepts_an_hs256_header_without_typ_or_with_extra_parameters) {
  EXPECT_TRUE(verify_jwt(signed_token(R"({"alg":"HS256"})", valid_payload()), secret, now));
  EXPECT_TRUE(verify_jwt(signed_token(R"({"typ":"jwt","kid":"1","alg":"HS256"})", valid_payload()),
                         secret, now));
}

TEST(jwt, rejects_headers_it_cannot_honour) {
  for (const std::string header :
       {R"({"alg":"HS256","crit":["exp"]})", R"({"alg":"HS256","typ":"JWS"})",
        R"({"alg":"HS256","alg":"HS256"})", R"({"alg":"HS256","typ":1})", R"(["HS256"])",
        R"("HS256")", R"({"alg":"HS256")", ""}) {
    EXPECT_EQ(verify_error(signed_token(header, valid_payload())), error_code::malformed_token)
        << header;
  }
}

TEST(jwt, rejects_a_signature_made_with_another_secret) {
  const auto claims = make_session_claims("user-1", now, std::chrono::hours{1});
  const auto token = sign_jwt(claims, "another secret of at least 32 bytes!").value();
  EXPECT_EQ(verify_error(token), error_code::bad_signature);
}

TEST(jwt, rejects_secrets_shorter_than_32_bytes) {
  const auto claims = make_session_claims("user-1", now, std::chrono::hours{1});
  const std::string short_secret(31, 'k');
  EXPECT_EQ(sign_jwt(claims, short_secret).error().code, error_code::invalid_key);
  const auto token = signed_token(R"({"alg":"HS256"})", valid_payload(), short_secret);
  EXPECT_EQ(verify_jwt(token, short_secret, now).error().code, error_code::invalid_key);
  EXPECT_EQ(verify_jwt(token, "", now).error().code, error_code::invalid_key);
}

TEST(jwt, rejects_a_token_at_or_after_its_expiry) {
  const auto claims = make_session_claims("user-1", now, seconds{3600});
  const auto token = sign_jwt(claims, secret).value();
  EXPECT_TRUE(verify_jwt(token, secret, now + seconds{3599}));
  EXPECT_TRUE(verify_jwt(token, secret, now + std::chrono::milliseconds{3'599'999}));
  EXPECT_EQ(verify_jwt(token, secret, now + seconds{3600}).error().code, error_code::token_expired);
  EXPECT_EQ(verify_jwt(token, secret, now + std::chrono::hours{24 * 365}).error().code,
            error_code::token_expired);
}

TEST(jwt, rejects_a_token_issued_in_the_future_beyond_the_clock_skew) {
  const auto token =
      sign_jwt(make_session_claims("user-1", now, std::chrono::hours{1}), secret).value();
  EXPECT_TRUE(verify_jwt(token, secret, now - allowed_clock_skew));
  EXPECT_EQ(verify_jwt(token, secret, now - allowed_clock_skew - seconds{1}).error().code,
            error_code::invalid_claims);
}

TEST(jwt, rejects_missing_mistyped_or_duplicate_claims) {
  for (const std::string& payload : std::vector<std::string>{
           R"({"iat":1700000000,"exp":1700003600,"jti":"abc"})",
           R"({"sub":"user-1","exp":1700003600,"jti":"abc"})",
           R"({"sub":"user-1","iat":1700000000,"jti":"abc"})",
           R"({"sub":"user-1","iat":1700000000,"exp":1700003600})",
           R"({"sub":"","iat":1700000000,"exp":1700003600,"jti":"abc"})",
           R"({"sub":42,"iat":1700000000,"exp":1700003600,"jti":"abc"})",
           R"({"sub":"user-1","iat":1700000000,"exp":"1700003600","jti":"abc"})",
           R"({"sub":"user-1","iat":1700000000,"exp":1.7e9,"jti":"abc"})",
           R"({"sub":"user-1","iat":-1,"exp":1700003600,"jti":"abc"})",
           R"({"sub":"user-1","iat":1700000000,"exp":99999999999999,"jti":"abc"})",
           R"({"sub":"user-1","iat":1700000000,"exp":18446744073709551615,"jti":"abc"})",
           R"({"sub":"user-1","iat":1700003600,"exp":1700000000,"jti":"abc"})",
           R"({"sub":"user-1","sub":"admin","iat":1700000000,"exp":1700003600,"jti":"abc"})",
           R"(["user-1"])",
           R"(not json)",
           "",
       }) {
    EXPECT_EQ(verify_error(signed_token(R"({"alg":"HS256"})", payload)), error_code::invalid_claims)
        << payload;
  }
}

TEST(jwt, ignores_claims_it_does_not_know) {
  const auto token = signed_token(
      R"({"alg":"HS256"})",
      R"({"sub":"user-1","iat":1700000000,"exp":1700003600,"jti":"abc","iss":"berth","x":[1,{}]})");
  EXPECT_TRUE(verify_jwt(token, secret, now));
}

TEST(jwt, rejects_malformed_structure) {
  const auto token =
      sign_jwt(make_session_claims("user-1", now, std::chrono::hours{1}), secret).value();
  const auto dot = token.find('.');
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           std::string("."),
           std::string(".."),
           std::string("..."),
           std::string("abc"),
           token.substr(0, token.rfind('.')),
           token + ".",
           token + ".abc",
           token + "=",
           " " + token,
           token.substr(0, dot) + "=" + token.substr(dot),
           std::string(token).insert(dot + 3, "\n"),
           std::string(token).replace(dot + 1, 1, "+"),
       }) {
    const auto code = verify_error(bad);
    EXPECT_TRUE(code == error_code::malformed_token || code == error_code::bad_signature)
        << bad << ": " << code;
  }
  EXPECT_EQ(verify_error("a.b.c.d"), error_code::malformed_token);
  EXPECT_EQ(verify_error("a.b"), error_code::malformed_token);
  EXPECT_EQ(verify_error(token + "."), error_code::malformed_token);
}

TEST(jwt, rejects_tokens_longer_than_4_kib_before_parsing_them) {
  EXPECT_EQ(verify_error(std::string(max_jwt_size + 1, 'A')), error_code::token_too_large);
  EXPECT_EQ(verify_error(std::string(1 << 20, '.')), error_code::token_too_large);
  EXPECT_EQ(verify_error(std::string(max_jwt_size, 'A')), error_code::malformed_token);
}

TEST(jwt, refuses_to_sign_claims_that_would_not_verify) {
  const auto good = make_session_claims("user-1", now, std::chrono::hours{1});
  auto empty_subject = good;
  empty_subject.subject.clear();
  auto long_subject = good;
  long_subject.subject.assign(max_claim_size + 1, 'u');
  auto not_utf8 = good;
  not_utf8.subject = "user\xff";
  auto backwards = good;
  backwards.expires_at = backwards.issued_at;
  auto no_id = good;
  no_id.token_id.clear();
  for (const auto& claims : {empty_subject, long_subject, not_utf8, backwards, no_id})
    EXPECT_EQ(sign_jwt(claims, secret).error().code, error_code::invalid_claims);
}

TEST(jwt, round_trips_subjects_that_need_json_escaping) {
  auto claims = make_session_claims("quote\" back\\slash \xc3\xa9 \x01", now, seconds{60});
  const auto verified = verify_jwt(sign_jwt(claims, secret).value(), secret, now);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->subject, claims.subject);
}

}  // namespace berth::auth
