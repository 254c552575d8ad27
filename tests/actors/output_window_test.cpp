#include "actors/output_window.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace berth::actors {
namespace {

constexpr std::int64_t window = 16;
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

output_window window_holding(std::string_view bytes) {
  output_window out(window);
  EXPECT_TRUE(std::holds_alternative<output_verdict::appended>(out.accept(0, bytes)));
  return out;
}

output_refusal refusal(const output_verdict_variant& verdict) {
  const auto* refused = std::get_if<output_verdict::refused>(&verdict);
  EXPECT_NE(refused, nullptr);
  return refused ? refused->reason : output_refusal::frame_too_large;
}

TEST(output_window, appends_contiguous_frames) {
  output_window out(window);
  const auto first = out.accept(0, "hello ");
  const auto second = out.accept(6, "world");
  const auto* appended = std::get_if<output_verdict::appended>(&second);
  ASSERT_NE(appended, nullptr);
  EXPECT_TRUE(std::holds_alternative<output_verdict::appended>(first));
  EXPECT_EQ(appended->offset, 6);
  EXPECT_EQ(appended->bytes, "world");
  EXPECT_EQ(out.received_end(), 11);
  EXPECT_EQ(out.memory_start(), 0);
  EXPECT_EQ(out.held(), "hello world");
}

TEST(output_window, reports_a_frame_it_already_had_as_duplicate) {
  auto out = window_holding("abcdef");
  EXPECT_TRUE(std::holds_alternative<output_verdict::duplicate>(out.accept(0, "abcdef")));
  EXPECT_TRUE(std::holds_alternative<output_verdict::duplicate>(out.accept(2, "cd")));
  EXPECT_TRUE(std::holds_alternative<output_verdict::duplicate>(out.accept(6, "")));
  EXPECT_EQ(out.held(), "abcdef");
  EXPECT_EQ(out.received_end(), 6);
}

TEST(output_window, cuts_the_duplicate_prefix_of_an_overlapping_frame) {
  auto out = window_holding("abcdef");
  const auto verdict = out.accept(4, "efgh");
  const auto* appended = std::get_if<output_verdict::appended>(&verdict);
  ASSERT_NE(appended, nullptr);
  EXPECT_EQ(appended->offset, 6);
  EXPECT_EQ(appended->bytes, "gh");
  EXPECT_EQ(out.held(), "abcdefgh");
}

TEST(output_window, restarts_memory_after_a_gap) {
  auto out = window_holding("abc");
  const auto verdict = out.accept(10, "xyz");
  const auto* gap = std::get_if<output_verdict::gap>(&verdict);
  ASSERT_NE(gap, nullptr);
  EXPECT_EQ(gap->from, 3);
  EXPECT_EQ(gap->to, 10);
  EXPECT_EQ(gap->bytes, "xyz");
  EXPECT_EQ(out.memory_start(), 10);
  EXPECT_EQ(out.received_end(), 13);
  EXPECT_EQ(out.held(), "xyz");
}

TEST(output_window, accepts_a_gap_of_exactly_one_journal) {
  output_window out(window);
  EXPECT_TRUE(std::holds_alternative<output_verdict::gap>(
      out.accept(static_cast<std::uint64_t>(max_gap), "x")));
}

TEST(output_window, refuses_an_offset_more_than_a_journal_ahead_and_changes_nothing) {
  auto out = window_holding("abc");
  EXPECT_EQ(refusal(out.accept(3 + static_cast<std::uint64_t>(max_gap) + 1, "x")),
            output_refusal::too_far_ahead);
  EXPECT_EQ(refusal(out.accept(static_cast<std::uint64_t>(int64_max), "")),
            output_refusal::too_far_ahead);
  EXPECT_EQ(out.received_end(), 3);
  EXPECT_EQ(out.held(), "abc");
}

TEST(output_window, refuses_offsets_that_overflow_int64) {
  auto out = window_holding("abc");
  EXPECT_EQ(refusal(out.accept(static_cast<std::uint64_t>(int64_max), "x")),
            output_refusal::offset_overflow);
  EXPECT_EQ(refusal(out.accept(std::uint64_t{1} << 63, "")), output_refusal::offset_overflow);
  EXPECT_EQ(refusal(out.accept(std::numeric_limits<std::uint64_t>::max(), "x")),
            output_refusal::offset_overflow);
  EXPECT_EQ(out.held(), "abc");
}

TEST(output_window, refuses_a_frame_whose_end_overflows_near_the_top_of_the_range) {
  output_window out(window);
  out.restore(int64_max - 4, "tail");
  EXPECT_EQ(refusal(out.accept(static_cast<std::uint64_t>(int64_max - 4), "123456")),
            output_refusal::offset_overflow);
  EXPECT_EQ(out.received_end(), int64_max - 4);
  const auto last = out.accept(static_cast<std::uint64_t>(int64_max - 4), "1234");
  EXPECT_TRUE(std::holds_alternative<output_verdict::appended>(last));
  EXPECT_EQ(out.received_end(), int64_max);
}

TEST(output_window, refuses_a_frame_larger_than_the_protocol_allows) {
  auto out = window_holding("abc");
  const std::string too_large(max_output_frame_bytes + 1, 'x');
  EXPECT_EQ(refusal(out.accept(3, too_large)), output_refusal::frame_too_large);
  EXPECT_EQ(out.received_end(), 3);
  const std::string largest(max_output_frame_bytes, 'x');
  EXPECT_TRUE(std::holds_alternative<output_verdict::appended>(out.accept(3, largest)));
}

TEST(output_window, slices_only_held_bytes) {
  output_window out(window);
  out.restore(100, "abcdef");
  EXPECT_EQ(out.slice(94, 3), "abc");
  EXPECT_EQ(out.slice(98, 10), "ef");
  EXPECT_EQ(out.slice(99, 0), "");
  EXPECT_EQ(out.slice(93, 3), "");   // dropped already: the event log has it
  EXPECT_EQ(out.slice(100, 3), "");  // not received yet
}

TEST(output_window, restores_the_recorded_tail) {
  output_window out(window);
  out.restore(1000, "tail");
  EXPECT_EQ(out.received_end(), 1000);
  EXPECT_EQ(out.memory_start(), 996);
  EXPECT_TRUE(std::holds_alternative<output_verdict::appended>(out.accept(1000, "!")));
  EXPECT_EQ(out.held(), "tail!");
}

TEST(output_window, restores_at_most_as_many_bytes_as_were_received) {
  output_window out(window);
  out.restore(2, "abcd");
  EXPECT_EQ(out.memory_start(), 0);
  EXPECT_EQ(out.held(), "cd");
}

TEST(output_window, trims_only_in_window_sized_steps) {
  auto out = window_holding(std::string(40, 'x'));
  out.trim(40, 40);  // keeps the window behind the end: [24, 40), a step of 24 >= 16
  EXPECT_EQ(out.memory_start(), 24);
  ASSERT_TRUE(std::holds_alternative<output_verdict::appended>(out.accept(40, "0123456789")));
  out.trim(50, 50);  // could drop [24, 34), less than a window: waits
  EXPECT_EQ(out.memory_start(), 24);
  EXPECT_TRUE(std::holds_alternative<output_verdict::appended>(out.accept(50, "0123456")));
  out.trim(57, 57);
  EXPECT_EQ(out.memory_start(), 41);
  EXPECT_EQ(out.held().size(), 16u);
}

TEST(output_window, keeps_what_a_client_still_needs) {
  auto out = window_holding(std::string(100, 'x'));
  out.trim(10, 100);  // a client paused at 10: a step of 10 is less than a window
  EXPECT_EQ(out.memory_start(), 0);
  out.trim(30, 100);
  EXPECT_EQ(out.memory_start(), 30);
}

TEST(output_window, never_drops_uncommitted_bytes) {
  auto out = window_holding(std::string(100, 'x'));
  out.trim(100, 20);
  EXPECT_EQ(out.memory_start(), 20);
  out.trim(100, 30);  // a step of 10: waits for a window's worth
  EXPECT_EQ(out.memory_start(), 20);
}

TEST(output_window, drops_beyond_the_memory_cap_even_for_a_paused_client) {
  output_window out(window);
  out.restore(max_memory_bytes + 100, std::string(max_memory_bytes + 50, 'x'));
  out.trim(0, out.received_end());
  EXPECT_EQ(out.memory_start(), 100);
  EXPECT_EQ(static_cast<std::int64_t>(out.held().size()), max_memory_bytes);
}

TEST(output_window, describes_every_refusal) {
  EXPECT_NE(to_string(output_refusal::frame_too_large), to_string(output_refusal::too_far_ahead));
  EXPECT_NE(to_string(output_refusal::offset_overflow), to_string(output_refusal::too_far_ahead));
}

}  // namespace
}  // namespace berth::actors
