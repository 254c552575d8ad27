#include "auth/login_throttle.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/auth/fake_clock.hpp"

namespace berth::auth {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

/// Fails `failures` logins of `user` from `address`, each as soon as the throttle allows.
void fail_logins(login_throttle& throttle, testing::fake_clock& clock, std::string_view user,
                 std::string_view address, int failures) {
  for (int i = 0; i < failures; ++i) {
    auto decision = throttle.try_login(user, address);
    if (!decision.allowed) {
      clock.advance(decision.retry_after);
      decision = throttle.try_login(user, address);
    }
    ASSERT_TRUE(decision.allowed) << i;
  }
}

}  // namespace

TEST(
    login_throttle,
    five_wrong_passwords_from_one_address_do_not_lock_out_the_right_password_from_another_address) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(throttle.try_login("admin", "203.0.113.7").allowed);
  EXPECT_FALSE(throttle.try_login("admin", "203.0.113.7").allowed);
  EXPECT_TRUE(throttle.try_login("admin", "198.51.100.1").allowed);
  throttle.succeeded("admin", "198.51.100.1");
}

TEST(login_throttle, an_attacker_at_the_cap_leaves_the_user_elsewhere_untouched) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  fail_logins(throttle, clock, "admin", "203.0.113.7", 30);
  ASSERT_FALSE(throttle.try_login("admin", "203.0.113.7").allowed);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(throttle.try_login("admin", "198.51.100.1").allowed) << i;
    throttle.succeeded("admin", "198.51.100.1");
  }
}

TEST(login_throttle, lets_the_first_five_failures_of_a_pair_through_without_waiting) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed) << i;
  const auto waiting = throttle.try_login("alice", "192.0.2.1");
  EXPECT_FALSE(waiting.allowed);
  EXPECT_EQ(waiting.retry_after, seconds{1});
}

TEST(login_throttle, doubles_the_wait_after_each_further_failure) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  fail_logins(throttle, clock, "alice", "192.0.2.1", 5);
  for (const auto expected : {seconds{1}, seconds{2}, seconds{4}, seconds{8}, seconds{16}}) {
    const auto waiting = throttle.try_login("alice", "192.0.2.1");
    ASSERT_FALSE(waiting.allowed);
    EXPECT_EQ(waiting.retry_after, expected);
    clock.advance(expected - std::chrono::milliseconds{1});
    EXPECT_FALSE(throttle.try_login("alice", "192.0.2.1").allowed);
    clock.advance(std::chrono::milliseconds{1});
    ASSERT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  }
}

TEST(login_throttle, never_makes_a_pair_wait_longer_than_15_minutes) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  // 5 free, then 1 s ... 512 s; the 16th failure would wait 1024 s without the cap.
  fail_logins(throttle, clock, "alice", "192.0.2.1", 15);
  EXPECT_EQ(throttle.try_login("alice", "192.0.2.1").retry_after, minutes{15});
  fail_logins(throttle, clock, "alice", "192.0.2.1", 100);
  EXPECT_EQ(throttle.try_login("alice", "192.0.2.1").retry_after, minutes{15});
}

TEST(login_throttle, does_not_lengthen_the_wait_for_attempts_refused_early) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  fail_logins(throttle, clock, "alice", "192.0.2.1", 8);
  ASSERT_EQ(throttle.try_login("alice", "192.0.2.1").retry_after, seconds{8});
  for (int i = 0; i < 7; ++i) {
    clock.advance(seconds{1});
    ASSERT_FALSE(throttle.try_login("alice", "192.0.2.1").allowed);
  }
  clock.advance(seconds{1});
  EXPECT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
}

TEST(login_throttle, forgets_a_pairs_failures_after_a_correct_password) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  fail_logins(throttle, clock, "alice", "192.0.2.1", 12);
  clock.advance(minutes{15});
  ASSERT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  throttle.succeeded("alice", "192.0.2.1");
  EXPECT_EQ(throttle.pairs(), 0u);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed) << i;
}

TEST(login_throttle, forgets_a_pairs_failures_a_day_after_the_latest) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  fail_logins(throttle, clock, "alice", "192.0.2.1", 15);
  clock.advance(hours{23});
  // Within a day the failures still count: the next one waits the whole cap again.
  ASSERT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  EXPECT_EQ(throttle.try_login("alice", "192.0.2.1").retry_after, minutes{15});
  clock.advance(hours{24});
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed) << i;
  EXPECT_EQ(throttle.try_login("alice", "192.0.2.1").retry_after, seconds{1});
}

TEST(login_throttle, blocks_an_address_after_50_failures_across_user_names) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(throttle.try_login("user-" + std::to_string(i), "203.0.113.7").allowed);
  const auto blocked = throttle.try_login("someone-else", "203.0.113.7");
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.retry_after, minutes{15});
  EXPECT_TRUE(throttle.try_login("someone-else", "198.51.100.1").allowed);
}

TEST(login_throttle, a_waiting_pair_spends_nothing_of_its_addresss_budget) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(throttle.try_login("alice", "192.0.2.1").allowed);
  for (int i = 0; i < 500; ++i)
    ASSERT_FALSE(throttle.try_login("alice", "192.0.2.1").allowed);
  // 45 of the address's 50 remain for the people behind it.
  for (int i = 0; i < 45; ++i)
    EXPECT_TRUE(throttle.try_login("user-" + std::to_string(i), "192.0.2.1").allowed) << i;
  EXPECT_FALSE(throttle.try_login("bob", "192.0.2.1").allowed);
}

TEST(login_throttle, does_not_count_successful_logins) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  // An office behind one NAT address logs in many times within 15 minutes.
  for (int i = 0; i < 500; ++i) {
    const auto user = "user-" + std::to_string(i % 7);
    ASSERT_TRUE(throttle.try_login(user, "192.0.2.1").allowed) << i;
    throttle.succeeded(user, "192.0.2.1");
  }
}

TEST(login_throttle, stays_within_max_pairs_under_a_flood_of_user_names) {
  testing::fake_clock clock;
  login_limits limits;
  limits.max_pairs = 1'000;
  login_throttle throttle(limits, clock.function());
  for (int i = 0; i < 20'000; ++i)
    throttle.try_login("user-" + std::to_string(i), "address-" + std::to_string(i));
  EXPECT_EQ(throttle.pairs(), 1'000u);
}

TEST(login_throttle, drops_pairs_whose_failures_are_a_day_old) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  for (int i = 0; i < 50; ++i)
    throttle.try_login("old-" + std::to_string(i), "address-" + std::to_string(i));
  clock.advance(hours{24});
  for (int i = 0; i < 30; ++i)
    throttle.try_login("new-" + std::to_string(i), "address-" + std::to_string(i));
  EXPECT_EQ(throttle.pairs(), 30u);
}

TEST(login_throttle, counts_user_names_by_their_first_256_bytes) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  const std::string prefix(rate_limiter::max_key_size, 'u');
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(throttle.try_login(prefix + std::to_string(i), "192.0.2.1").allowed);
  EXPECT_FALSE(throttle.try_login(prefix + "another", "192.0.2.1").allowed);
  EXPECT_EQ(throttle.pairs(), 1u);
}

TEST(login_throttle, lets_only_the_free_failures_through_to_racing_threads) {
  testing::fake_clock clock;
  login_throttle throttle(login_limits{}, clock.function());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1'000; ++i) {
        if (throttle.try_login("alice", "192.0.2.1").allowed) ++allowed;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(allowed.load(), 5);
}

}  // namespace berth::auth
