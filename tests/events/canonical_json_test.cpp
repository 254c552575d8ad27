#include "events/canonical_json.hpp"

#include <gtest/gtest.h>

namespace berth::events {

TEST(canonical_json, sorts_keys_at_every_depth_and_drops_whitespace) {
  EXPECT_EQ(canonical_json(R"({ "b": 1, "a": {"z": [1, 2], "y": null} })"),
            R"({"a":{"y":null,"z":[1,2]},"b":1})");
}

TEST(canonical_json, writes_integral_doubles_as_integers_like_jsonb_prints_them) {
  // jsonb reads 1E2 and prints 100: both spellings must canonicalise to the same text.
  EXPECT_EQ(canonical_json("[1E2, 100, 100.0, -0.0]"), "[100,100,100,0]");
}

TEST(canonical_json, keeps_fractions_stable_through_a_round_trip) {
  const auto once = canonical_json("[1.5, 0.1, 1e300, 12345.678901234567]");
  ASSERT_TRUE(once);
  EXPECT_EQ(canonical_json(*once), once);
}

TEST(canonical_json, writes_each_numeric_value_one_way_whatever_its_spelling) {
  EXPECT_EQ(canonical_json("[1.50, 15e-1, 0.15E1]"), "[15e-1,15e-1,15e-1]");
  EXPECT_EQ(canonical_json("[12345.678901234566e-300]"), "[12345678901234566e-312]");
  EXPECT_EQ(canonical_json("[123456789012345678901234567890]"),
            "[12345678901234567890123456789e1]");
  EXPECT_EQ(canonical_json("[-5, 0.000]"), "[-5,0]");
}

TEST(canonical_json, keeps_the_last_value_of_a_repeated_key_like_jsonb) {
  EXPECT_EQ(canonical_json(R"({"b":1,"a":2,"a":3})"), R"({"a":3,"b":1})");
}

TEST(canonical_number, rejects_malformed_and_absurd_literals) {
  EXPECT_FALSE(canonical_number(""));
  EXPECT_FALSE(canonical_number("-"));
  EXPECT_FALSE(canonical_number("1e"));
  EXPECT_FALSE(canonical_number("1e999999999"));
  EXPECT_EQ(canonical_number("1e+2"), "100");
}

TEST(canonical_json, normalises_unicode_escapes) {
  EXPECT_EQ(canonical_json(R"({"k":"\u00e9"})"), canonical_json("{\"k\":\"\xc3\xa9\"}"));
}

TEST(canonical_json, rejects_invalid_json) {
  EXPECT_FALSE(canonical_json("{"));
  EXPECT_FALSE(canonical_json("{\"a\":1} trailing"));
  EXPECT_FALSE(canonical_json(""));
}

TEST(canonical_json, rejects_documents_nested_too_deep) {
  EXPECT_FALSE(canonical_json(std::string(1000, '[') + std::string(1000, ']')));
}

}  // namespace berth::events
