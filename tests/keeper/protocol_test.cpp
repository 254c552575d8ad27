// Frame codec: the incremental decoder under whole, partial, oversized and hostile input.

#include "docker/keeper/protocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "docker/keeper/messages.hpp"

namespace berth::keeper {
namespace {

std::vector<frame> decode_all(frame_decoder& decoder, std::string_view bytes) {
  decoder.feed(bytes);
  std::vector<frame> frames;
  while (true) {
    decode_step step = decoder.next();
    if (auto* f = std::get_if<frame>(&step)) {
      frames.push_back(std::move(*f));
      continue;
    }
    EXPECT_TRUE(std::holds_alternative<need_more>(step));
    return frames;
  }
}

std::string raw_frame(std::uint8_t type, std::string_view payload) {
  std::string out;
  append_frame(out, static_cast<frame_type>(type), payload);
  return out;
}

TEST(frame_decoder, returns_a_whole_frame_fed_at_once) {
  frame_decoder decoder;
  auto frames = decode_all(decoder, raw_frame(0x15, "abc"));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, 0x15);
  EXPECT_EQ(frames[0].payload, "abc");
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(frame_decoder, lays_out_the_header_as_big_endian_length_then_type) {
  const std::string bytes = raw_frame(0x12, std::string(0x010203, 'x'));
  EXPECT_EQ(bytes.substr(0, 5), std::string("\x00\x01\x02\x03\x12", 5));
}

TEST(frame_decoder, assembles_frames_fed_one_byte_at_a_time) {
  std::string stream = raw_frame(0x15, "") + raw_frame(0x23, "hello") + raw_frame(0x14, "12345678");
  frame_decoder decoder;
  std::vector<frame> frames;
  for (char byte : stream) {
    decoder.feed(std::string_view(&byte, 1));
    while (true) {
      decode_step step = decoder.next();
      auto* f = std::get_if<frame>(&step);
      if (f == nullptr) {
        ASSERT_TRUE(std::holds_alternative<need_more>(step));
        break;
      }
      frames.push_back(std::move(*f));
    }
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].payload, "");
  EXPECT_EQ(frames[1].payload, "hello");
  EXPECT_EQ(frames[2].type, 0x14);
}

TEST(frame_decoder, accepts_a_payload_of_exactly_the_limit) {
  frame_decoder decoder;
  auto frames = decode_all(decoder, raw_frame(0x12, std::string(max_payload_size, 'z')));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload.size(), max_payload_size);
}

TEST(frame_decoder, refuses_a_frame_announcing_more_than_the_limit_before_it_arrives) {
  frame_decoder decoder;
  decoder.feed(std::string("\x00\x10\x00\x01\x12", 5));  // 1 MiB + 1
  decode_step step = decoder.next();
  auto* error = std::get_if<decode_error>(&step);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, error_code::frame_too_large);
}

TEST(frame_decoder, stays_failed_after_an_error) {
  frame_decoder decoder({.max_payload = 4});
  decoder.feed(raw_frame(0x12, "too long"));
  ASSERT_TRUE(std::holds_alternative<decode_error>(decoder.next()));
  decoder.feed(raw_frame(0x15, ""));
  EXPECT_TRUE(std::holds_alternative<decode_error>(decoder.next()));
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(frame_decoder, skips_docker_error_text_before_the_hello_when_told_to) {
  frame_decoder decoder({.expect_hello = true});
  const std::string text = "Error: Exec command 1234 is already running\r\n";
  const std::string hello_frame = encode_message(hello{});
  std::vector<frame> frames;
  for (char byte : text + hello_frame + raw_frame(0x23, "x")) {
    auto got = decode_all(decoder, std::string_view(&byte, 1));
    frames.insert(frames.end(), got.begin(), got.end());
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, static_cast<std::uint8_t>(frame_type::hello));
  EXPECT_EQ(frames[1].payload, "x");
  EXPECT_EQ(decoder.preamble(), text);
}

TEST(frame_decoder, gives_up_on_a_stream_without_hello) {
  frame_decoder decoder({.expect_hello = true, .max_preamble = 100});
  decoder.feed(std::string(200, 'E'));
  decode_step step = decoder.next();
  auto* error = std::get_if<decode_error>(&step);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, error_code::missing_hello);
}

TEST(frame_decoder, without_hello_mode_reads_text_as_an_oversized_length) {
  frame_decoder decoder;
  decoder.feed("Error: Exec command");
  decode_step step = decoder.next();
  auto* error = std::get_if<decode_error>(&step);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, error_code::frame_too_large);
}

TEST(frame_decoder, holds_memory_bounded_by_one_frame_over_many_frames) {
  frame_decoder decoder;
  const std::string one = raw_frame(0x23, std::string(1000, 'a'));
  for (int i = 0; i < 10000; ++i) {
    decoder.feed(one);
    ASSERT_TRUE(std::holds_alternative<frame>(decoder.next()));
  }
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(session_id, accepts_letters_digits_dash_and_underscore_up_to_64) {
  EXPECT_TRUE(is_valid_session_id("a"));
  EXPECT_TRUE(is_valid_session_id("Ab-9_z"));
  EXPECT_TRUE(is_valid_session_id(std::string(64, 'x')));
  EXPECT_FALSE(is_valid_session_id(""));
  EXPECT_FALSE(is_valid_session_id(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_session_id("a/b"));
  EXPECT_FALSE(is_valid_session_id("a b"));
  EXPECT_FALSE(is_valid_session_id(std::string("a\0b", 3)));
}

TEST(error_code, marks_stream_errors_fatal_and_request_errors_not) {
  EXPECT_TRUE(is_fatal(error_code::malformed_frame));
  EXPECT_TRUE(is_fatal(error_code::frame_too_large));
  EXPECT_TRUE(is_fatal(error_code::unknown_frame_type));
  EXPECT_FALSE(is_fatal(error_code::unknown_session));
  EXPECT_FALSE(is_fatal(error_code::spawn_failed));
  EXPECT_EQ(to_string(error_code::offset_out_of_range), "offset_out_of_range");
}

}  // namespace
}  // namespace berth::keeper
