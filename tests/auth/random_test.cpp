#include "auth/random.hpp"
#include "auth/constant_time.hpp"
#include "auth/digest.hpp"
#include "auth/encoding.hpp"

#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace berth::auth {

TEST(random_bytes, returns_the_requested_number_of_fresh_bytes) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  const auto first = random_bytes(32);
  const auto second = random_bytes(32);
  EXPECT_EQ(first.size(), 32u);
  // Equal 256-bit draws would mean a broken generator, not bad luck.
  EXPECT_NE(first, second);
}

TEST(random_id, uses_only_alphanumeric_characters_at_the_requested_length) {
  EXPECT_EQ(random_id().size(), 12u);
  const auto id = random_id(1000);
  EXPECT_EQ(id.size(), 1000u);
  for (const char c : id)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  // 1,000 draws from 62 characters miss one with probability below 62 * (61/62)^1000 ~ 5e-6.
  EXPECT_EQ(std::set<char>(id.begin(), id.end()).size(), 62u);
}

TEST(random_id, makes_distinct_ids_from_many_threads) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 2'000; ++i)
        ids.push_back(random_id());
    });
  }
  for (auto& thread : threads)
    thread.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread)
    all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 8'000u);
}

TEST(constant_time_equal, compares_contents_and_lengths) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret!"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(sha256, matches_the_fips_180_2_vector) {
  EXPECT_EQ(hex_encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(hmac_sha256, matches_the_rfc_4231_vectors) {
  // Test case 1: a 20-byte key.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 6: a 131-byte key, hashed first because it is longer than the block.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace berth::auth
