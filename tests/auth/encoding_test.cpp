#include "auth/encoding.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace berth::auth {

namespace {

// RFC 4648 section 10 test vectors: input and its padded base64 encoding.
const std::vector<std::pair<std::string, std::string>> rfc4648_base64 = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string all_byte_values() {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  return bytes;
}

}  // namespace

TEST(base64, encodes_and_decodes_the_rfc_4648_vectors) {
  for (const auto& [plain, encoded] : rfc4648_base64) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded).value(), plain) << encoded;
  }
}

TEST(base64url, encodes_and_decodes_the_rfc_4648_vectors_without_padding) {
  for (const auto& [plain, encoded] : rfc4648_base64) {
    const std::string unpadded = encoded.substr(0, encoded.find('='));
    EXPECT_EQ(base64url_encode(plain), unpadded);
    EXPECT_EQ(base64url_decode(unpadded).value(), plain) << unpadded;
  }
}

TEST(base64url, uses_the_url_safe_alphabet) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
}

TEST(base64url, round_trips_every_byte_value_at_every_length) {
  const std::string bytes = all_byte_values();
  for (std::size_t size = 0; size <= bytes.size(); ++size) {
    const std::string plain = bytes.substr(bytes.size() - size);
    EXPECT_EQ(base64url_decode(base64url_encode(plain)).value(), plain);
    EXPECT_EQ(base64_decode(base64_encode(plain)).value(), plain);
  }
}

TEST(base64url, rejects_padding_foreign_characters_and_impossible_lengths) {
  for (const std::string& bad :
       std::vector<std::string>{"Zg==", "Zg=", "Zm9v=", "+/8", "Zm 9v", "Zm9v\n", "Z", "Zm9vY",
                                "Zm9v!", std::string("Zm\0v", 4)}) {
    const auto decoded = base64url_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, error_code::invalid_encoding);
  }
}

TEST(base64url, rejects_non_zero_trailing_bits_so_each_value_has_one_spelling) {
  // "Zg" is "f"; "Zh" differs only in the 4 bits that no byte uses.
  EXPECT_TRUE(base64url_decode("Zg"));
  EXPECT_FALSE(base64url_decode("Zh"));
  EXPECT_FALSE(base64url_decode("Zm9"));
}

TEST(base64url, rejects_every_non_ascii_byte_that_libsodium_would_misread) {
  for (int byte = 0x80; byte <= 0xff; ++byte) {
    const std::string text = "AAA" + std::string(1, static_cast<char>(byte));
    EXPECT_FALSE(base64url_decode(text)) << byte;
    EXPECT_FALSE(base64_decode(text)) << byte;
    EXPECT_FALSE(hex_decode("A" + std::string(1, static_cast<char>(byte)))) << byte;
  }
}

TEST(base64, rejects_missing_or_extra_padding) {
  for (const std::string& bad :
       std::vector<std::string>{"Zg", "Zg=", "Zg===", "Zm8", "Zm8==", "-_8=", "=", "Zg==Zg=="})
    EXPECT_FALSE(base64_decode(bad)) << bad;
}

TEST(hex, encodes_lower_case_and_decodes_either_case_per_rfc_4648) {
  EXPECT_EQ(hex_encode("foobar"), "666f6f626172");
  EXPECT_EQ(hex_decode("666F6F626172").value(), "foobar");
  EXPECT_EQ(hex_decode("666f6f626172").value(), "foobar");
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_decode("").value(), "");
  const std::string bytes = all_byte_values();
  EXPECT_EQ(hex_decode(hex_encode(bytes)).value(), bytes);
}

TEST(hex, rejects_odd_lengths_and_non_hex_characters) {
  for (const std::string& bad :
       std::vector<std::string>{"6", "666", "6g", "0x66", " 66", "66 ", "6:6f"}) {
    const auto decoded = hex_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, error_code::invalid_encoding);
  }
}

}  // namespace berth::auth
