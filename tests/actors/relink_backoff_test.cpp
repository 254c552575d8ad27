#include "actors/relink_backoff.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace berth::actors {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using time_point = relink_backoff::clock::time_point;

relink_backoff with_draw(double draw) {
  return relink_backoff([draw] { return draw; });
}

/// Delays of `count` links in a row that failed to open.
std::vector<milliseconds> failed_open_delays(relink_backoff& backoff, int count) {
  std::vector<milliseconds> out;
  for (int i = 0; i < count; ++i)
    out.push_back(backoff.after_open_failed());
  return out;
}

TEST(relink_backoff, doubles_the_delay_after_each_failure) {
  auto backoff = with_draw(0.0);
  const std::vector<milliseconds> expected{milliseconds(100), milliseconds(200), milliseconds(400),
                                           milliseconds(800)};
  EXPECT_EQ(failed_open_delays(backoff, 4), expected);
}

TEST(relink_backoff, never_waits_longer_than_the_cap) {
  auto backoff = with_draw(0.999);
  const time_point start{};
  for (int i = 0; i < 100; ++i) {
    backoff.link_attached(start);
    EXPECT_LE(backoff.after_link_ended(start), relink_max_delay);
  }
  EXPECT_GT(backoff.after_link_ended(start), relink_max_delay * 99 / 100);
}

TEST(relink_backoff, keeps_each_delay_between_half_the_ceiling_and_the_ceiling) {
  for (const double draw : {0.0, 0.25, 0.5, 0.999, 1.5, -1.0}) {
    auto backoff = with_draw(draw);
    auto ceiling = relink_base_delay;
    for (const auto delay : failed_open_delays(backoff, 10)) {
      EXPECT_GE(delay, ceiling / 2) << "draw " << draw;
      EXPECT_LE(delay, ceiling) << "draw " << draw;
      ceiling = std::min(ceiling * 2, relink_max_delay);
    }
  }
}

TEST(relink_backoff, starts_low_again_after_a_link_stayed_healthy) {
  auto backoff = with_draw(0.0);
  failed_open_delays(backoff, 5);
  const time_point attached{seconds(100)};
  backoff.link_attached(attached);
  EXPECT_EQ(backoff.after_link_ended(attached + relink_healthy_period), relink_base_delay / 2);
}

TEST(relink_backoff, keeps_growing_after_a_short_lived_link) {
  auto backoff = with_draw(0.0);
  failed_open_delays(backoff, 5);
  const time_point attached{seconds(100)};
  backoff.link_attached(attached);
  EXPECT_EQ(backoff.after_link_ended(attached + relink_healthy_period - milliseconds(1)),
            relink_max_delay / 2);
}

TEST(relink_backoff, bounds_docker_execs_per_minute_for_a_keeper_that_breaks_every_link) {
  // The link breaks the moment it attaches and opening takes no time: only the waits space the
  // execs. The shortest waits (draw 0) are 100, 200, 400, 800, 1600 ms and then 2500 ms, so a
  // minute holds 5 + 22 = 27 execs; at most 30 leaves no room for a lower cap or floor.
  for (const double draw : {0.0, 0.5, 0.999}) {
    auto backoff = with_draw(draw);
    const time_point start{};
    backoff.link_attached(start);
    auto now = start + backoff.after_link_ended(start);
    int execs = 0;
    while (now < start + seconds(60)) {
      ++execs;
      backoff.link_attached(now);
      now += backoff.after_link_ended(now);
      EXPECT_FALSE(backoff.should_give_up());
    }
    EXPECT_LE(execs, 30) << "draw " << draw;
    EXPECT_GE(execs, 10) << "draw " << draw;
  }
}

TEST(relink_backoff, gives_up_after_the_allowed_failed_opens_in_a_row) {
  auto backoff = with_draw(0.5);
  for (int i = 1; i < max_relink_attempts; ++i) {
    backoff.after_open_failed();
    EXPECT_FALSE(backoff.should_give_up()) << "after " << i << " failures";
  }
  backoff.after_open_failed();
  EXPECT_TRUE(backoff.should_give_up());
}

TEST(relink_backoff, forgives_failed_opens_once_a_link_attaches) {
  auto backoff = with_draw(0.5);
  failed_open_delays(backoff, max_relink_attempts - 1);
  backoff.link_attached(time_point{});
  backoff.after_link_ended(time_point{seconds(1)});
  failed_open_delays(backoff, max_relink_attempts - 1);
  EXPECT_FALSE(backoff.should_give_up());
}

TEST(relink_backoff, counts_a_link_that_ends_before_attaching_as_a_failed_open) {
  auto backoff = with_draw(0.5);
  for (int i = 0; i < max_relink_attempts; ++i)
    backoff.after_link_ended(time_point{seconds(i)});
  EXPECT_TRUE(backoff.should_give_up());
}

}  // namespace
}  // namespace berth::actors
