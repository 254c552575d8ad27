#include "auth/password.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/random.hpp"

namespace berth::auth {

namespace {

// The smallest Argon2id limits keep these tests fast; one test covers the default limits.
const password_limits fast = password_limits::minimum();

}  // namespace

TEST(password_policy, accepts_8_to_1024_bytes_of_utf8) {
  EXPECT_TRUE(check_password_policy("12345678"));
  EXPECT_TRUE(check_password_policy(std::string(1024, 'x')));
  EXPECT_TRUE(check_password_policy("p\xc3\xa4sswort"));                   // "pässwort"
  EXPECT_TRUE(check_password_policy("\xf0\x9f\x94\x91\xf0\x9f\x94\x91"));  // two emoji, 8 bytes
}

TEST(password_policy, rejects_a_password_shorter_than_8_bytes) {
  const auto checked = check_password_policy("1234567");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, error_code::password_too_short);
  EXPECT_EQ(checked.error().message, "password must be at least 8 bytes");
  EXPECT_FALSE(check_password_policy(""));
}

TEST(password_policy, rejects_a_password_longer_than_1024_bytes) {
  const auto checked = check_password_policy(std::string(1025, 'x'));
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, error_code::password_too_long);
}

TEST(password_policy, rejects_invalid_utf8) {
  for (const std::string& bad :
       std::vector<std::string>{"abcdefg\xff", "abcdefg\xc3", "abcdefg\xc0\xaf",
                                "abcdefg\xed\xa0\x80", "abcdefg\xf4\x90\x80\x80"}) {
    const auto checked = check_password_policy(bad);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, error_code::password_not_utf8);
  }
}

TEST(password_hash, verifies_the_password_it_was_made_from) {
  const auto hash = hash_password("correct horse battery staple", fast);
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$")) << *hash;
  EXPECT_TRUE(verify_password("correct horse battery staple", *hash));
}

TEST(password_hash, rejects_a_wrong_password) {
  const auto hash = hash_password("correct horse battery staple", fast).value();
  for (const std::string& wrong :
       std::vector<std::string>{"correct horse battery stapl", "correct horse battery staple ",
                                "Correct horse battery staple", ""}) {
    const auto verified = verify_password(wrong, hash);
    ASSERT_FALSE(verified) << wrong;
    EXPECT_EQ(verified.error().code, error_code::wrong_password);
  }
  EXPECT_FALSE(verify_password(std::string(2000, 'x'), hash));
}

TEST(password_hash, salts_each_hash) {
  EXPECT_NE(hash_password("same password", fast).value(),
            hash_password("same password", fast).value());
}

TEST(password_hash, refuses_to_hash_a_password_that_breaks_the_policy) {
  const auto hash = hash_password("short", fast);
  ASSERT_FALSE(hash);
  EXPECT_EQ(hash.error().code, error_code::password_too_short);
}

TEST(password_hash, uses_interactive_limits_by_default) {
  const auto hash = hash_password("correct horse battery staple").value();
  EXPECT_NE(hash.find("$m=65536,t=2,p=1$"), std::string::npos) << hash;
  EXPECT_FALSE(needs_rehash(hash));
  EXPECT_TRUE(needs_rehash(hash, fast));
  EXPECT_TRUE(verify_password("correct horse battery staple", hash));
}

TEST(password_hash, reports_a_stored_hash_that_is_not_argon2id) {
  ensure_sodium_initialized();
  char argon2i[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(argon2i, "password", 8, crypto_pwhash_argon2i_OPSLIMIT_MIN + 2,
                                  crypto_pwhash_argon2i_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2I13),
            0);
  const auto good = hash_password("password", fast).value();
  for (const std::string& bad :
       std::vector<std::string>{std::string(), std::string("garbage"), std::string(argon2i),
                                good + std::string(200, 'A'), std::string(good).insert(10, 1, '\0'),
                                good.substr(0, good.find("$m="))}) {
    const auto verified = verify_password("password", bad);
    ASSERT_FALSE(verified) << bad;
    EXPECT_EQ(verified.error().code, error_code::malformed_password_hash);
    EXPECT_TRUE(needs_rehash(bad, fast));
  }
}

TEST(password_hash, rejects_the_password_against_a_truncated_hash) {
  const auto hash = hash_password("password", fast).value();
  EXPECT_FALSE(verify_password("password", hash.substr(0, hash.size() - 3)));
}

TEST(password_hash, needs_no_rehash_when_the_limits_match) {
  const auto hash = hash_password("password", fast).value();
  EXPECT_FALSE(needs_rehash(hash, fast));
  EXPECT_TRUE(needs_rehash(hash, password_limits::interactive()));
}

}  // namespace berth::auth
