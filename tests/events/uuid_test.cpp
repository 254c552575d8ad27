#include "events/uuid.hpp"

#include <set>

#include <gtest/gtest.h>

namespace berth::events {

TEST(uuid, makes_version_7_uuids_in_canonical_form) {
  const auto id = make_uuid_v7();
  EXPECT_TRUE(is_uuid(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
}

TEST(uuid, makes_distinct_ids) {
  std::set<std::string> ids;
  for (int i = 0; i < 10'000; ++i)
    ids.insert(make_uuid_v7());
  EXPECT_EQ(ids.size(), 10'000u);
}

TEST(uuid, rejects_malformed_text) {
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5"));
  EXPECT_FALSE(is_uuid("0190a1b2xc3d4-7e5f-8a9b-0c1d2e3f4a5b"));
  EXPECT_FALSE(is_uuid("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g"));
  EXPECT_TRUE(is_uuid("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"));
}

}  // namespace berth::events
