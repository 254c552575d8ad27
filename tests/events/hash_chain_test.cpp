#include "events/hash_chain.hpp"

#include <gtest/gtest.h>

namespace berth::events {

TEST(event_hash, is_32_bytes_and_deterministic) {
  const auto a = event_hash("", "T", "{}", "{}", std::nullopt);
  EXPECT_EQ(a.size(), hash_size);
  EXPECT_EQ(a, event_hash("", "T", "{}", "{}", std::nullopt));
}

TEST(event_hash, changes_with_every_field) {
  const auto base = event_hash("p", "T", R"({"a":1})", "{}", std::string("body"));
  EXPECT_NE(base, event_hash("q", "T", R"({"a":1})", "{}", std::string("body")));
  EXPECT_NE(base, event_hash("p", "U", R"({"a":1})", "{}", std::string("body")));
  EXPECT_NE(base, event_hash("p", "T", R"({"a":2})", "{}", std::string("body")));
  EXPECT_NE(base, event_hash("p", "T", R"({"a":1})", R"({"m":1})", std::string("body")));
  EXPECT_NE(base, event_hash("p", "T", R"({"a":1})", "{}", std::string("bodY")));
}

TEST(event_hash, tells_an_empty_body_from_no_body) {
  EXPECT_NE(event_hash("", "T", "{}", "{}", std::string()),
            event_hash("", "T", "{}", "{}", std::nullopt));
}

TEST(event_hash, keeps_field_boundaries_unambiguous) {
  // Without length prefixes "ab"+"c" and "a"+"bc" would hash alike.
  EXPECT_NE(event_hash("", "ab", "c", "{}", std::nullopt),
            event_hash("", "a", "bc", "{}", std::nullopt));
}

}  // namespace berth::events
