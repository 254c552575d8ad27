#include "auth/secret_box.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/encoding.hpp"

namespace berth::auth {

namespace {

secret_key key_from_hex(std::string_view hex) {
  return secret_key::from_bytes(hex_decode(hex).value()).value();
}

std::string data_for(std::string_view user, std::string_view name) {
  return secret_associated_data(user, name).value();
}

}  // namespace

TEST(secret_box, opens_what_it_sealed) {
  const auto key = generate_key();
  const auto data = data_for("user-1", "ANTHROPIC_API_KEY");
  const auto sealed = seal("sk-ant-api03-secret", key, data);
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(open(*sealed, key, data).value(), "sk-ant-api03-secret");
}

TEST(secret_box, writes_version_nonce_ciphertext_and_tag) {
  const auto sealed = seal("value", generate_key(), "data").value();
  EXPECT_EQ(sealed.size(), 5 + secret_box_overhead);
  EXPECT_EQ(sealed[0], '\x01');
  EXPECT_EQ(sealed.find("value"), std::string::npos);
}

TEST(secret_box, uses_a_fresh_nonce_for_every_seal) {
  const auto key = generate_key();
  const auto first = seal("same value", key, "data").value();
  const auto second = seal("same value", key, "data").value();
  EXPECT_NE(first.substr(1, 12), second.substr(1, 12));
  EXPECT_NE(first, second);
}

TEST(secret_box, opens_a_ciphertext_made_by_an_independent_aes_gcm_implementation) {
  // Made with Python's `cryptography` AESGCM: key 00..1f, nonce a0..ab, associated data
  // 0x01 || secret_associated_data("user-1", "ANTHROPIC_API_KEY"). Guards the stored format.
  const auto sealed = hex_decode(
                          "01a0a1a2a3a4a5a6a7a8a9aaab9573514c2bbf2fda1a04eaa36b1feda811c02c7520f6"
                          "bdbb2aabc09be4145003eb385ea2")
                          .value();
  const auto key = key_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(open(sealed, key, data_for("user-1", "ANTHROPIC_API_KEY")).value(),
            "sk-ant-example-value");
}

TEST(secret_box, round_trips_empty_and_maximum_size_values) {
  const auto key = generate_key();
  EXPECT_EQ(open(seal("", key, "").value(), key, "").value(), "");
  const std::string largest(max_secret_value_size, 'v');
  EXPECT_EQ(open(seal(largest, key, "").value(), key, "").value(), largest);
}

TEST(secret_box, refuses_values_and_associated_data_above_the_limits) {
  const auto key = generate_key();
  EXPECT_EQ(seal(std::string(max_secret_value_size + 1, 'v'), key, "").error().code,
            error_code::value_too_large);
  EXPECT_EQ(seal("v", key, std::string(max_associated_data_size + 1, 'd')).error().code,
            error_code::value_too_large);
}

TEST(secret_box, rejects_a_wrong_key) {
  const auto sealed = seal("value", generate_key(), "data").value();
  const auto opened = open(sealed, generate_key(), "data");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, error_code::decryption_failed);
}

TEST(secret_box, rejects_a_ciphertext_moved_to_another_user_or_name) {
  const auto key = generate_key();
  const auto sealed = seal("value", key, data_for("user-1", "API_KEY")).value();
  EXPECT_EQ(open(sealed, key, data_for("user-2", "API_KEY")).error().code,
            error_code::decryption_failed);
  EXPECT_EQ(open(sealed, key, data_for("user-1", "OTHER_KEY")).error().code,
            error_code::decryption_failed);
  // Length prefixes keep ("user-1", "API_KEY") apart from ("user-1A", "PI_KEY").
  EXPECT_NE(data_for("user-1", "API_KEY"), data_for("user-1A", "PI_KEY"));
}

TEST(secret_box, rejects_every_flipped_bit) {
  const auto key = generate_key();
  const auto sealed = seal("a secret value", key, "data").value();
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      const auto opened = open(tampered, key, "data");
      ASSERT_FALSE(opened) << "byte " << i << " bit " << bit;
      EXPECT_EQ(opened.error().code,
                i == 0 ? error_code::unsupported_version : error_code::decryption_failed);
    }
  }
}

TEST(secret_box, rejects_truncated_and_extended_ciphertexts) {
  const auto key = generate_key();
  const auto sealed = seal("a secret value", key, "data").value();
  for (std::size_t size = 0; size < sealed.size(); ++size)
    EXPECT_FALSE(open(sealed.substr(0, size), key, "data")) << size;
  EXPECT_FALSE(open(sealed + '\0', key, "data"));
  EXPECT_FALSE(open(std::string(1'000'000, '\x01'), key, "data"));
}

TEST(secret_box, wraps_and_unwraps_a_data_key) {
  const auto master = generate_key();
  const auto data_key = generate_key();
  const auto wrapped = wrap_key(data_key, master, "user-1");
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_EQ(wrapped->size(), secret_key::size + secret_box_overhead);
  EXPECT_EQ(unwrap_key(*wrapped, master, "user-1").value().bytes(), data_key.bytes());
}

TEST(secret_box, unwraps_a_data_key_wrapped_by_an_independent_aes_gcm_implementation) {
  // Python AESGCM: master key 40..5f, nonce c0..cb, data key 80..9f, associated data
  // 0x01 || "berth data key\n" || be32(6) || "user-1".
  const auto wrapped = hex_decode(
                           "01c0c1c2c3c4c5c6c7c8c9cacbdfc5b24dfe1fbb6cfc30aebd272e2c420f64ccc24abb"
                           "b89f642aa9f7b4e7e4d9df59797da9a80b51f0aa9b71f242ec98")
                           .value();
  const auto master =
      key_from_hex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
  EXPECT_EQ(hex_encode(unwrap_key(wrapped, master, "user-1").value().bytes()),
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
}

TEST(secret_box, rejects_a_data_key_unwrapped_for_another_user_or_with_another_master_key) {
  const auto master = generate_key();
  const auto wrapped = wrap_key(generate_key(), master, "user-1").value();
  EXPECT_EQ(unwrap_key(wrapped, master, "user-2").error().code, error_code::decryption_failed);
  EXPECT_EQ(unwrap_key(wrapped, generate_key(), "user-1").error().code,
            error_code::decryption_failed);
  // A wrapped key is not a sealed secret, even under the same key and owner.
  EXPECT_FALSE(open(wrapped, master, data_for("user-1", "KEY")));
}

TEST(secret_name, accepts_environment_variable_names) {
  for (const std::string& good :
       std::vector<std::string>{"ANTHROPIC_API_KEY", "A", "_", "_X1", "GITHUB_TOKEN_2",
                                std::string(max_secret_name_size, 'N')})
    EXPECT_TRUE(check_secret_name(good)) << good;
}

TEST(secret_name, rejects_anything_else) {
  for (const std::string& bad : std::vector<std::string>{
           "", "1ABC", "lower", "Mixed", "A-B", "A B", "A=B", "A.B", "\xc3\x84",
           std::string("A\0B", 3), std::string(max_secret_name_size + 1, 'N')}) {
    const auto checked = check_secret_name(bad);
    ASSERT_FALSE(checked) << bad;
    EXPECT_EQ(checked.error().code, error_code::invalid_secret_name);
  }
  EXPECT_EQ(secret_associated_data("user-1", "bad name").error().code,
            error_code::invalid_secret_name);
}

}  // namespace berth::auth
