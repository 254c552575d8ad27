// Typed messages: every frame type round-trips, and no truncated, padded or hostile payload
// parses.

#include "docker/keeper/messages.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::keeper {
namespace {

std::vector<message> one_of_each() {
  session_info row{"s-1", 80, 24, 10, 20, 15, session_state::exited, {true, 9}};
  return {
      hello{},
      open_request{"s-1", 120, 40, "/workspace", {"A=1", "SECRET=x y"}, {"/bin/sh", "-c", "ls"}},
      open_request{"s_2", 80, 24, "", {}, {}},
      attach_request{"s-1", 0x0102030405060708},
      input_request{"s-1", std::string("ls\r\0\xff", 5)},
      resize_request{"s-1", 200, 50},
      ack_request{"s-1", 4096},
      list_request{},
      close_request{"s-1"},
      detach_request{"s-1"},
      opened_reply{"s-1", 4242},
      attached_reply{"s-1", 17},
      gap_reply{"s-1", 0, 65536},
      output_event{"s-1", 1 << 20, "\x1b[31mred\x1b[0m\r\n"},
      exited_event{"s-1", {false, 7}, 123},
      session_list_reply{{row, session_info{"other", 1, 1, 0, 0, 0, session_state::running, {}}}},
      session_list_reply{},
      closed_reply{"s-1"},
      detached_reply{"s-1"},
      error_reply{error_code::unknown_session, "s-1", "no such session"},
  };
}

frame only_frame(const std::string& bytes) {
  frame_decoder decoder;
  decoder.feed(bytes);
  decode_step step = decoder.next();
  EXPECT_TRUE(std::holds_alternative<frame>(step));
  EXPECT_TRUE(std::holds_alternative<need_more>(decoder.next()));
  return std::get<frame>(step);
}

std::string hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(messages, every_type_survives_encode_then_parse) {
  for (const message& original : one_of_each()) {
    const frame f = only_frame(encode_message(original));
    parse_result parsed = parse_message(f);
    ASSERT_TRUE(std::holds_alternative<message>(parsed)) << "type " << int(f.type);
    EXPECT_TRUE(std::get<message>(parsed) == original) << "type " << int(f.type);
  }
}

TEST(messages, append_output_matches_an_encoded_output_event) {
  std::string fast;
  append_output(fast, "s-1", 99, "data");
  EXPECT_EQ(fast, encode_message(output_event{"s-1", 99, "data"}));
  EXPECT_EQ(fast.size(), frame_header_size + output_overhead("s-1") + 4);
}

TEST(messages, hello_is_the_bytes_the_protocol_document_shows) {
  EXPECT_EQ(hex(encode_message(hello{})),
            "00 00 00 0e 01 42 45 52 54 48 4b 50 52 00 01 00 10 00 00");
}

TEST(messages, attach_is_the_bytes_the_protocol_document_shows) {
  EXPECT_EQ(hex(encode_message(attach_request{"s1", 4096})),
            "00 00 00 0e 11 00 00 00 02 73 31 00 00 00 00 00 00 10 00");
}

TEST(messages, output_is_the_bytes_the_protocol_document_shows) {
  EXPECT_EQ(hex(encode_message(output_event{"s1", 4096, "hi"})),
            "00 00 00 14 23 00 00 00 02 73 31 00 00 00 00 00 00 10 00 00 00 00 02 68 69");
}

TEST(messages, exited_is_the_bytes_the_protocol_document_shows) {
  EXPECT_EQ(hex(encode_message(exited_event{"s1", {false, 0}, 6})),
            "00 00 00 10 24 00 00 00 02 73 31 00 00 00 00 00 00 00 00 00 06");
}

TEST(messages, no_truncation_of_any_payload_parses) {
  for (const message& original : one_of_each()) {
    const frame whole = only_frame(encode_message(original));
    for (std::size_t cut = 0; cut < whole.payload.size(); ++cut) {
      if (whole.type == static_cast<std::uint8_t>(frame_type::hello) && cut >= 14) continue;
      frame truncated{whole.type, whole.payload.substr(0, cut)};
      parse_result parsed = parse_message(truncated);
      ASSERT_TRUE(std::holds_alternative<decode_error>(parsed))
          << "type " << int(whole.type) << " cut at " << cut;
      EXPECT_EQ(std::get<decode_error>(parsed).code, error_code::malformed_frame);
    }
  }
}

TEST(messages, trailing_bytes_make_a_request_malformed) {
  frame f = only_frame(encode_message(ack_request{"s", 1}));
  f.payload += 'x';
  parse_result parsed = parse_message(f);
  ASSERT_TRUE(std::holds_alternative<decode_error>(parsed));
  EXPECT_EQ(std::get<decode_error>(parsed).code, error_code::malformed_frame);
}

TEST(messages, a_longer_hello_from_a_later_version_still_parses) {
  frame f = only_frame(encode_message(hello{7, 4096}));
  f.payload += "future fields";
  parse_result parsed = parse_message(f);
  ASSERT_TRUE(std::holds_alternative<message>(parsed));
  EXPECT_EQ(std::get<hello>(std::get<message>(parsed)).version, 7);
}

TEST(messages, a_hello_with_the_wrong_magic_is_malformed) {
  frame f = only_frame(encode_message(hello{}));
  f.payload[0] = 'b';
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_message(f)));
}

TEST(messages, an_unknown_type_is_reported_as_such) {
  parse_result parsed = parse_message(frame{0x7e, ""});
  ASSERT_TRUE(std::holds_alternative<decode_error>(parsed));
  EXPECT_EQ(std::get<decode_error>(parsed).code, error_code::unknown_frame_type);
}

TEST(messages, a_huge_list_count_is_refused_without_allocating_it) {
  std::string payload("\x00\x00\x00\x01s\x00\x50\x00\x18\x00\x00\x00\x00", 13);
  payload += std::string("\xff\xff\xff\xff", 4);  // env count: four billion
  parse_result parsed = parse_message(frame{0x10, payload});
  ASSERT_TRUE(std::holds_alternative<decode_error>(parsed));
  EXPECT_EQ(std::get<decode_error>(parsed).code, error_code::malformed_frame);
}

TEST(messages, a_string_length_past_the_payload_is_malformed) {
  const std::string payload("\x7f\xff\xff\xff", 4);
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_message(frame{0x16, payload})));
}

TEST(messages, a_session_state_out_of_range_is_malformed) {
  std::string bytes = encode_message(
      session_list_reply{{session_info{"s", 1, 1, 0, 0, 0, session_state::running, {}}}});
  bytes[bytes.size() - 3] = 9;  // the state byte precedes the two status bytes
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_message(only_frame(bytes))));
}

}  // namespace
}  // namespace berth::keeper
