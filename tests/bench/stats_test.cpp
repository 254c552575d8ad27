#include "bench/stats.hpp"

#include <gtest/gtest.h>

namespace berth::bench {
namespace {

TEST(percentile, picks_by_nearest_rank) {
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({3, 1, 2}, 0.5), 2);
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i)
    hundred.push_back(i);
  EXPECT_EQ(percentile(hundred, 0.99), 99);
  EXPECT_EQ(percentile(hundred, 1.0), 100);
}

}  // namespace
}  // namespace berth::bench
