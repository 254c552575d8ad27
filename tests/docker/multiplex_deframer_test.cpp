#include "docker/multiplex_deframer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace berth::docker {
namespace {

std::string frame(std::uint8_t stream, std::string_view payload) {
  auto size = static_cast<std::uint32_t>(payload.size());
  std::string bytes{static_cast<char>(stream),
                    0,
                    0,
                    0,
                    static_cast<char>(size >> 24),
                    static_cast<char>(size >> 16),
                    static_cast<char>(size >> 8),
                    static_cast<char>(size)};
  return bytes + std::string{payload};
}

// Output joined per stream, so results of differently split inputs compare equal.
struct joined_output {
  std::string std_out;
  std::string std_err;
  std::string std_in;
  std::optional<deframe_error> failure;
};

void collect(const deframe_result& result, joined_output& output) {
  for (const auto& piece : result.pieces) {
    if (piece.stream == stream_kind::std_out) output.std_out.append(piece.bytes);
    if (piece.stream == stream_kind::std_err) output.std_err.append(piece.bytes);
    if (piece.stream == stream_kind::std_in) output.std_in.append(piece.bytes);
  }
  if (result.failure) output.failure = result.failure;
}

TEST(multiplex_deframer, decodes_stdout_and_stderr_frames_in_order) {
  multiplex_deframer deframer;
  auto input = frame(1, "hello ") + frame(2, "oops") + frame(1, "world");
  auto result = deframer.feed(input);
  ASSERT_FALSE(result.failure);
  ASSERT_EQ(result.pieces.size(), 3u);
  EXPECT_EQ(result.pieces[0].stream, stream_kind::std_out);
  EXPECT_EQ(result.pieces[0].bytes, "hello ");
  EXPECT_EQ(result.pieces[1].stream, stream_kind::std_err);
  EXPECT_EQ(result.pieces[1].bytes, "oops");
  EXPECT_EQ(result.pieces[2].bytes, "world");
  EXPECT_TRUE(deframer.at_frame_boundary());
}

TEST(multiplex_deframer, yields_the_same_output_when_input_is_split_at_every_byte_boundary) {
  auto input = frame(1, "abc") + frame(2, "") + frame(2, "error text") + frame(0, "in") +
               frame(1, std::string(300, 'x'));
  joined_output whole;
  collect(multiplex_deframer{}.feed(input), whole);
  ASSERT_FALSE(whole.failure);

  for (std::size_t first = 0; first <= input.size(); ++first) {
    for (std::size_t second = first; second <= input.size(); second += 7) {
      multiplex_deframer deframer;
      joined_output split;
      std::string_view view{input};
      collect(deframer.feed(view.substr(0, first)), split);
      collect(deframer.feed(view.substr(first, second - first)), split);
      collect(deframer.feed(view.substr(second)), split);
      ASSERT_EQ(split.std_out, whole.std_out) << "split at " << first << "," << second;
      ASSERT_EQ(split.std_err, whole.std_err) << "split at " << first << "," << second;
      ASSERT_EQ(split.std_in, whole.std_in) << "split at " << first << "," << second;
      ASSERT_FALSE(split.failure);
      ASSERT_TRUE(deframer.at_frame_boundary());
    }
  }
}

TEST(multiplex_deframer, decodes_input_fed_one_byte_at_a_time) {
  auto input = frame(1, "one") + frame(2, "two");
  multiplex_deframer deframer;
  joined_output output;
  for (char byte : input)
    collect(deframer.feed(std::string_view{&byte, 1}), output);
  EXPECT_EQ(output.std_out, "one");
  EXPECT_EQ(output.std_err, "two");
  EXPECT_TRUE(deframer.at_frame_boundary());
}

TEST(multiplex_deframer, streams_a_hostile_four_gigabyte_frame_without_buffering_it) {
  std::string header{1, 0, 0, 0, '\xff', '\xff', '\xff', '\xff'};
  multiplex_deframer deframer;
  auto input = header + std::string(100, 'z');
  auto result = deframer.feed(input);
  ASSERT_FALSE(result.failure);
  ASSERT_EQ(result.pieces.size(), 1u);
  EXPECT_EQ(result.pieces[0].bytes.size(), 100u);
  // The rest of the announced payload is still owed, so ending here is a truncation.
  EXPECT_FALSE(deframer.at_frame_boundary());
}

TEST(multiplex_deframer, reports_bad_stream_type_for_raw_tty_text) {
  multiplex_deframer deframer;
  auto result = deframer.feed("Error: Exec command abc is already running\r\n");
  EXPECT_EQ(result.failure, deframe_error::bad_stream_type);
  EXPECT_TRUE(result.pieces.empty());
}

TEST(multiplex_deframer, reports_non_zero_header_padding) {
  multiplex_deframer deframer;
  std::string header{1, 0, 1, 0, 0, 0, 0, 1};
  EXPECT_EQ(deframer.feed(header + "x").failure, deframe_error::bad_padding);
}

TEST(multiplex_deframer, keeps_pieces_before_an_error_and_stays_failed) {
  multiplex_deframer deframer;
  auto input = frame(1, "good") + frame(7, "bad");
  auto result = deframer.feed(input);
  ASSERT_EQ(result.pieces.size(), 1u);
  EXPECT_EQ(result.pieces[0].bytes, "good");
  EXPECT_EQ(result.failure, deframe_error::bad_stream_type);
  auto more = frame(1, "fine");
  auto later = deframer.feed(more);
  EXPECT_TRUE(later.pieces.empty());
  EXPECT_EQ(later.failure, deframe_error::bad_stream_type);
}

TEST(multiplex_deframer, zero_length_frames_produce_no_pieces) {
  multiplex_deframer deframer;
  auto result = deframer.feed(frame(1, "") + frame(2, ""));
  EXPECT_TRUE(result.pieces.empty());
  EXPECT_FALSE(result.failure);
  EXPECT_TRUE(deframer.at_frame_boundary());
}

TEST(multiplex_deframer, is_not_at_a_boundary_inside_a_header) {
  multiplex_deframer deframer;
  EXPECT_FALSE(deframer.feed(std::string{1, 0, 0}).failure);
  EXPECT_FALSE(deframer.at_frame_boundary());
}

}  // namespace
}  // namespace berth::docker
