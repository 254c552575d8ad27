#include "auth/login_throttle.hpp"

#include <string>

#include <gtest/gtest.h>

#include "tests/auth/fake_clock.hpp"

namespace berth::auth {

namespace {

using std::chrono::minutes;

}  // namespace

TEST(login_throttle, blocks_a_user_name_after_5_failures_in_15_minutes) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(throttle.try_login("alice", "10.0.0." + std::to_string(i)).allowed);
  const auto blocked = throttle.try_login("alice", "10.0.0.99");
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.retry_after, minutes{15});
  EXPECT_TRUE(throttle.try_login("bob", "10.0.0.99").allowed);
  clock.advance(minutes{15});
  EXPECT_TRUE(throttle.try_login("alice", "10.0.0.99").allowed);
}

TEST(login_throttle, blocks_an_address_after_20_failures_across_user_names) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(throttle.try_login("user-" + std::to_string(i), "203.0.113.7").allowed);
  EXPECT_FALSE(throttle.try_login("someone-else", "203.0.113.7").allowed);
  EXPECT_TRUE(throttle.try_login("someone-else", "198.51.100.1").allowed);
}

TEST(login_throttle, lets_a_blocked_address_spend_nothing_of_a_user_names_budget) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(throttle.try_login("user-" + std::to_string(i), "203.0.113.7").allowed);
  for (int i = 0; i < 50; ++i)
    ASSERT_FALSE(throttle.try_login("alice", "203.0.113.7").allowed);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(throttle.try_login("alice", "198.51.100.1").allowed) << i;
}

TEST(login_throttle, does_not_count_successful_logins) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  // An office behind one NAT address logs in many times within 15 minutes.
  for (int i = 0; i < 100; ++i) {
    const auto user = "user-" + std::to_string(i % 7);
    ASSERT_TRUE(throttle.try_login(user, "192.0.2.1").allowed) << i;
    throttle.succeeded(user, "192.0.2.1");
  }
}

TEST(login_throttle, keeps_counting_failures_around_a_success) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  ASSERT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  throttle.succeeded("alice", "192.0.2.1");
  EXPECT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  EXPECT_FALSE(throttle.try_login("alice", "192.0.2.1").allowed);
}

}  // namespace berth::auth
