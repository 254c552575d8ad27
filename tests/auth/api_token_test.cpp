#include "auth/api_token.hpp"

#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/encoding.hpp"

namespace berth::auth {

TEST(api_token, generates_berth_id_secret_text_and_its_hash) {
  const auto token = generate_api_token();
  EXPECT_EQ(token.text.size(), api_token_size);
  EXPECT_TRUE(token.text.starts_with("berth_" + token.id + "_")) << token.text;
  EXPECT_EQ(token.id.size(), api_token_id_size);
  for (const char c : token.id)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << token.id;
  EXPECT_EQ(token.secret_hash.size(), 64u);
  EXPECT_EQ(token.secret_hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(api_token, parses_what_it_generates_and_verifies_against_the_stored_hash) {
  const auto token = generate_api_token();
  const auto parsed = parse_api_token(token.text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->id, token.id);
  EXPECT_EQ(parsed->secret.size(), api_token_secret_size);
  EXPECT_EQ(hash_token_secret(parsed->secret), token.secret_hash);
  EXPECT_TRUE(verify_token_secret(parsed->secret, token.secret_hash));
  EXPECT_EQ(format_api_token(*parsed), token.text);
}

TEST(api_token, makes_distinct_ids_and_secrets) {
  const auto first = generate_api_token();
  const auto second = generate_api_token();
  EXPECT_NE(first.id, second.id);
  EXPECT_NE(first.secret_hash, second.secret_hash);
}

TEST(api_token, hashes_the_raw_secret_with_sha256) {
  EXPECT_EQ(hash_token_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(api_token, parses_a_secret_that_contains_underscores_and_dashes) {
  const api_token token{"AbCdEf012345", std::string(32, '\xff')};
  const auto text = format_api_token(token);
  EXPECT_EQ(text, "berth_AbCdEf012345_" + std::string(42, '_') + "8");
  const auto parsed = parse_api_token(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, token.id);
  EXPECT_EQ(parsed->secret, token.secret);
}

TEST(api_token, rejects_text_that_is_not_a_token) {
  const auto text = generate_api_token().text;
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           std::string("berth_"),
           text.substr(1),
           text + "A",
           text.substr(0, text.size() - 1),
           "Berth" + text.substr(5),
           "berth-" + text.substr(6),
           std::string(text).replace(6, 1, "-"),
           std::string(text).replace(18, 1, "-"),
           std::string(text).replace(20, 1, "+"),
           std::string(text).replace(20, 1, "="),
           std::string(text).replace(20, 1, std::string(1, '\0')),
           std::string(text).replace(40, 1, std::string(1, '\xdc')),
           " " + text.substr(1),
           std::string(10'000, 'A'),
       }) {
    const auto parsed = parse_api_token(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, error_code::malformed_token);
    EXPECT_EQ(parsed.error().message, "not a Berth API token");
  }
}

TEST(api_token, rejects_a_secret_with_non_zero_trailing_bits) {
  // 32 bytes use 256 of the 258 bits in 43 characters: "8" is 111100, "9" sets an unused bit.
  const auto text = format_api_token({"AbCdEf012345", std::string(32, '\xff')});
  ASSERT_TRUE(text.ends_with("8"));
  EXPECT_FALSE(parse_api_token(text.substr(0, text.size() - 1) + "9"));
}

TEST(api_token, rejects_a_wrong_secret_or_a_malformed_stored_hash) {
  const auto token = generate_api_token();
  const auto secret = parse_api_token(token.text).value().secret;
  std::string wrong = secret;
  wrong[0] ^= 0x01;
  EXPECT_FALSE(verify_token_secret(wrong, token.secret_hash));
  EXPECT_FALSE(verify_token_secret("", token.secret_hash));
  EXPECT_FALSE(verify_token_secret(secret, ""));
  EXPECT_FALSE(verify_token_secret(secret, token.secret_hash.substr(2)));
  EXPECT_FALSE(verify_token_secret(secret, "zz" + token.secret_hash.substr(2)));
  std::string upper = token.secret_hash;
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(verify_token_secret(secret, upper));
}

}  // namespace berth::auth
