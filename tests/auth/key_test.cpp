#include "auth/key.hpp"

#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/encoding.hpp"

namespace berth::auth {

namespace {

const std::string key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

}  // namespace

TEST(master_key, parses_64_hex_characters) {
  const auto key = parse_master_key(key_hex);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(hex_encode(key->bytes()), key_hex);
  std::string upper = key_hex;
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(parse_master_key(upper).value().bytes(), key->bytes());
}

TEST(master_key, parses_44_characters_of_base64) {
  const auto key_bytes = hex_decode(key_hex).value();
  const auto text = base64_encode(key_bytes);
  ASSERT_EQ(text.size(), 44u);
  EXPECT_EQ(parse_master_key(text).value().bytes(), key_bytes);
}

TEST(master_key, ignores_surrounding_whitespace_like_a_trailing_newline) {
  EXPECT_TRUE(parse_master_key(key_hex + "\n"));
  EXPECT_TRUE(parse_master_key("  " + key_hex + "\r\n"));
}

TEST(master_key, rejects_other_forms_without_echoing_the_input) {
  const auto base64 = base64_encode(hex_decode(key_hex).value());
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           key_hex.substr(2),
           key_hex + "00",
           key_hex.substr(1) + "g",
           base64.substr(0, 43),
           base64url_encode(hex_decode(key_hex).value()),
           base64 + "A",
           base64.substr(0, 42) + "==",
           base64_encode(hex_decode(key_hex + "00").value()).substr(0, 44),
           key_hex.substr(0, 32) + " " + key_hex.substr(33),
       }) {
    const auto key = parse_master_key(bad);
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().code, error_code::invalid_key);
    EXPECT_TRUE(bad.empty() || key.error().message.find(bad) == std::string::npos);
    EXPECT_NE(key.error().message.find("64 hex characters"), std::string::npos);
  }
}

TEST(master_key, rejects_an_all_zero_placeholder) {
  const auto key = parse_master_key(std::string(64, '0'));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, error_code::invalid_key);
}

TEST(secret_key, is_made_only_from_exactly_32_bytes) {
  EXPECT_TRUE(secret_key::from_bytes(std::string(32, 'k')));
  EXPECT_EQ(secret_key::from_bytes(std::string(31, 'k')).error().code, error_code::invalid_key);
  EXPECT_EQ(secret_key::from_bytes(std::string(33, 'k')).error().code, error_code::invalid_key);
}

TEST(secret_key, wipes_the_key_it_was_moved_from) {
  auto source = generate_key();
  const std::string original(source.bytes());
  const secret_key target(std::move(source));
  EXPECT_EQ(target.bytes(), original);
  // Reading a moved-from key is defined by this class: all zeros.
  EXPECT_EQ(source.bytes(), std::string(32, '\0'));  // NOLINT(bugprone-use-after-move)
}

TEST(secret_key, generates_distinct_random_keys) {
  EXPECT_NE(generate_key().bytes(), generate_key().bytes());
}

}  // namespace berth::auth
