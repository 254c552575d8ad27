#include "testing/scratch_database.hpp"

#include <gtest/gtest.h>

namespace berth::testing {
namespace {

TEST(with_database, replaces_the_database_of_a_url) {
  EXPECT_EQ(with_database("postgresql://u:p@h:5/berth?x=1", "t"), "postgresql://u:p@h:5/t?x=1");
  EXPECT_EQ(with_database("postgresql://u:p@h:5", "t"), "postgresql://u:p@h:5/t");
  EXPECT_EQ(with_database("host=h", "t"), "host=h dbname=t");
}

}  // namespace
}  // namespace berth::testing
