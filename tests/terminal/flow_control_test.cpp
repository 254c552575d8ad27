#include <gtest/gtest.h>

#include <chrono>

#include "terminal/flow_control.hpp"

namespace berth::terminal {
namespace {

using namespace std::chrono_literals;

TEST(flow_control, sends_until_more_than_the_high_watermark_is_unacked) {
  flow_control flow(1000);
  flow.record_sent(1000, high_watermark);
  EXPECT_TRUE(flow.may_send()) << "exactly at the watermark is not above it";
  flow.record_sent(1000 + high_watermark, 1);
  EXPECT_FALSE(flow.may_send());
  EXPECT_EQ(flow.unacked(), high_watermark + 1);
  EXPECT_EQ(flow.sent_end(), 1000 + high_watermark + 1);
}

TEST(flow_control, resumes_only_below_the_low_watermark) {
  flow_control flow(0);
  const auto sent = high_watermark + 20'000;
  flow.record_sent(0, sent);
  ASSERT_FALSE(flow.may_send());
  ASSERT_TRUE(flow.record_ack(sent - (high_watermark + low_watermark) / 2));
  EXPECT_FALSE(flow.may_send()) << "below high but above low stays paused";
  ASSERT_TRUE(flow.record_ack(sent - low_watermark));
  EXPECT_FALSE(flow.may_send()) << "exactly at the low watermark is not below it";
  ASSERT_TRUE(flow.record_ack(sent - low_watermark + 1));
  EXPECT_TRUE(flow.may_send());
  EXPECT_EQ(flow.acked(), sent - low_watermark + 1);
}

TEST(flow_control, keeps_sending_between_the_watermarks_once_resumed) {
  flow_control flow(0);
  flow.record_sent(0, high_watermark + 1);
  ASSERT_TRUE(flow.record_ack(high_watermark + 1));
  ASSERT_TRUE(flow.may_send());
  const auto between = (high_watermark + low_watermark) / 2;
  flow.record_sent(high_watermark + 1, static_cast<std::size_t>(between));
  EXPECT_TRUE(flow.may_send()) << "between the watermarks, not paused";
}

TEST(flow_control, a_client_acking_every_ack_interval_always_resumes) {
  // The client acks whenever it has rendered at least ack_interval bytes since its last ack;
  // what it rendered but has not acked yet must be below the low watermark.
  flow_control flow(0);
  std::int64_t rendered = 0;
  std::int64_t last_ack = 0;
  for (int frame = 0; frame < 1000; ++frame) {
    if (flow.may_send()) flow.record_sent(flow.sent_end(), 4096);
    rendered = flow.sent_end();
    if (rendered - last_ack >= ack_interval) {
      ASSERT_TRUE(flow.record_ack(rendered));
      last_ack = rendered;
    }
    ASSERT_TRUE(flow.may_send()) << "stalled at frame " << frame;
  }
}

TEST(flow_control, accepts_a_repeated_ack) {
  flow_control flow(10);
  flow.record_sent(10, 100);
  ASSERT_TRUE(flow.record_ack(50));
  EXPECT_TRUE(flow.record_ack(50));
  EXPECT_TRUE(flow.record_ack(10 + 100));
}

TEST(flow_control, refuses_acks_that_go_backwards_or_beyond_what_was_sent) {
  flow_control flow(1000);
  flow.record_sent(1000, 500);
  auto before_start = flow.record_ack(999);
  ASSERT_FALSE(before_start);
  EXPECT_EQ(before_start.error().code, protocol_error_code::invalid_ack);
  auto beyond = flow.record_ack(1501);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code, protocol_error_code::invalid_ack);
  ASSERT_TRUE(flow.record_ack(1200));
  auto backwards = flow.record_ack(1199);
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, protocol_error_code::invalid_ack);
  EXPECT_EQ(flow.acked(), 1200) << "a refused ack changes nothing";
}

class fake_clock {
 public:
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  message_rate_limiter::clock source() {
    return [this] { return now; };
  }
};

TEST(message_rate_limiter, allows_a_full_burst_then_refuses) {
  fake_clock clock;
  message_rate_limiter limiter({.rate = 200, .burst = 400}, clock.source());
  for (int i = 0; i < 400; ++i)
    ASSERT_TRUE(limiter.allow()) << i;
  EXPECT_FALSE(limiter.allow());
}

TEST(message_rate_limiter, refills_at_the_sustained_rate_up_to_the_burst) {
  fake_clock clock;
  message_rate_limiter limiter({.rate = 200, .burst = 400}, clock.source());
  for (int i = 0; i < 400; ++i)
    ASSERT_TRUE(limiter.allow());
  clock.now += 6ms;
  EXPECT_TRUE(limiter.allow()) << "6 ms at 200/s is 1.2 tokens";
  EXPECT_FALSE(limiter.allow());
  clock.now += 1h;
  for (int i = 0; i < 400; ++i)
    ASSERT_TRUE(limiter.allow()) << i;
  EXPECT_FALSE(limiter.allow()) << "a long quiet period refills only up to the burst";
}

TEST(message_rate_limiter, refuses_most_of_ten_thousand_messages_a_second) {
  fake_clock clock;
  message_rate_limiter limiter({}, clock.source());
  int allowed = 0;
  for (int i = 0; i < 10'000; ++i) {
    clock.now += 100us;
    if (limiter.allow()) ++allowed;
  }
  EXPECT_LE(allowed, 400 + 200 + 1);
  EXPECT_GE(allowed, 400 + 200 - 1);
}

TEST(message_rate_limiter, lets_a_fast_typist_through) {
  fake_clock clock;
  message_rate_limiter limiter({}, clock.source());
  for (int i = 0; i < 10'000; ++i) {
    clock.now += 10ms;  // 100 keys a second, each followed by an ack
    ASSERT_TRUE(limiter.allow()) << i;
    ASSERT_TRUE(limiter.allow()) << i;
  }
}

TEST(message_rate_limiter, grants_nothing_when_the_clock_goes_backwards) {
  fake_clock clock;
  message_rate_limiter limiter({.rate = 200, .burst = 1}, clock.source());
  ASSERT_TRUE(limiter.allow());
  clock.now -= 1h;
  EXPECT_FALSE(limiter.allow());
  clock.now += 1h + 6ms;
  EXPECT_TRUE(limiter.allow());
}

}  // namespace
}  // namespace berth::terminal
