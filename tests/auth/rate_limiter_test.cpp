#include "auth/rate_limiter.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/auth/fake_clock.hpp"

namespace berth::auth {

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const rate_limiter::options five_per_15_minutes{5, minutes{15}, 100};

}  // namespace

TEST(rate_limiter, allows_max_attempts_then_says_when_to_retry) {
  testing::fake_clock clock;
  rate_limiter limiter(five_per_15_minutes, clock.function());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.try_attempt("alice").allowed) << i;
    clock.advance(seconds{10});
  }
  const auto blocked = limiter.try_attempt("alice");
  EXPECT_FALSE(blocked.allowed);
  // The first attempt was 50 s ago, so it leaves the window in 15 min - 50 s.
  EXPECT_EQ(blocked.retry_after, minutes{15} - seconds{50});
}

TEST(rate_limiter, allows_again_once_the_oldest_attempt_leaves_the_window) {
  testing::fake_clock clock;
  rate_limiter limiter(five_per_15_minutes, clock.function());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limiter.try_attempt("alice").allowed);
    clock.advance(minutes{1});
  }
  clock.advance(minutes{10} - std::chrono::milliseconds{1});
  const auto still_blocked = limiter.try_attempt("alice");
  EXPECT_FALSE(still_blocked.allowed);
  EXPECT_EQ(still_blocked.retry_after, seconds{1});  // 1 ms, rounded up to a whole second
  clock.advance(std::chrono::milliseconds{1});
  EXPECT_TRUE(limiter.try_attempt("alice").allowed);
  // The window slides: the second attempt (at minute 1) is now the oldest in it.
  const auto blocked = limiter.try_attempt("alice");
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.retry_after, minutes{1});
}

TEST(rate_limiter, does_not_count_blocked_attempts) {
  testing::fake_clock clock;
  rate_limiter limiter(five_per_15_minutes, clock.function());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(limiter.try_attempt("alice").allowed);
  for (int i = 0; i < 100; ++i) {
    clock.advance(seconds{1});
    ASSERT_FALSE(limiter.try_attempt("alice").allowed);
  }
  clock.advance(minutes{15} - seconds{100});
  EXPECT_TRUE(limiter.try_attempt("alice").allowed);
}

TEST(rate_limiter, keeps_keys_apart) {
  testing::fake_clock clock;
  rate_limiter limiter(five_per_15_minutes, clock.function());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(limiter.try_attempt("alice").allowed);
  EXPECT_FALSE(limiter.try_attempt("alice").allowed);
  EXPECT_TRUE(limiter.try_attempt("bob").allowed);
}

TEST(rate_limiter, forgives_attempts_that_succeeded) {
  testing::fake_clock clock;
  rate_limiter limiter(five_per_15_minutes, clock.function());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limiter.try_attempt("alice").allowed) << i;
    limiter.forgive("alice");
  }
  limiter.forgive("nobody");
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(rate_limiter, forgets_the_least_recently_used_key_beyond_max_keys) {
  testing::fake_clock clock;
  rate_limiter limiter({1, minutes{15}, 3}, clock.function());
  for (const char* key : {"a", "b", "c"})
    ASSERT_TRUE(limiter.try_attempt(key).allowed);
  EXPECT_FALSE(limiter.try_attempt("a").allowed);  // "a" is now the most recently used
  ASSERT_TRUE(limiter.try_attempt("d").allowed);   // evicts "b"
  EXPECT_EQ(limiter.size(), 3u);
  EXPECT_FALSE(limiter.try_attempt("a").allowed);
  EXPECT_FALSE(limiter.try_attempt("c").allowed);
  EXPECT_TRUE(limiter.try_attempt("b").allowed);  // forgotten, so allowed again
}

TEST(rate_limiter, stays_within_max_keys_under_a_flood_of_keys) {
  testing::fake_clock clock;
  rate_limiter limiter({5, minutes{15}, 1'000}, clock.function());
  for (int i = 0; i < 20'000; ++i)
    limiter.try_attempt("address-" + std::to_string(i));
  EXPECT_EQ(limiter.size(), 1'000u);
}

TEST(rate_limiter, drops_keys_whose_attempts_expired) {
  testing::fake_clock clock;
  rate_limiter limiter(five_per_15_minutes, clock.function());
  for (int i = 0; i < 50; ++i)
    limiter.try_attempt("old-" + std::to_string(i));
  clock.advance(minutes{16});
  for (int i = 0; i < 30; ++i)
    limiter.try_attempt("new-" + std::to_string(i));
  // Each call retires up to two expired keys, so 30 calls retire all 50 old ones.
  EXPECT_EQ(limiter.size(), 30u);
}

TEST(rate_limiter, counts_keys_by_their_first_256_bytes) {
  testing::fake_clock clock;
  rate_limiter limiter({1, minutes{15}, 100}, clock.function());
  const std::string prefix(rate_limiter::max_key_size, 'k');
  ASSERT_TRUE(limiter.try_attempt(prefix + "first").allowed);
  EXPECT_FALSE(limiter.try_attempt(prefix + "second").allowed);
}

TEST(rate_limiter, blocks_every_attempt_when_zero_are_allowed) {
  testing::fake_clock clock;
  rate_limiter limiter({0, minutes{15}, 100}, clock.function());
  const auto decision = limiter.try_attempt("alice");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.retry_after, minutes{15});
}

TEST(rate_limiter, allows_exactly_max_attempts_to_racing_threads) {
  testing::fake_clock clock;
  rate_limiter limiter({100, minutes{15}, 100}, clock.function());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1'000; ++i) {
        if (limiter.try_attempt("alice").allowed) ++allowed;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(allowed.load(), 100);
}

}  // namespace berth::auth
