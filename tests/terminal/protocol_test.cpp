#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "terminal/protocol.hpp"

namespace berth::terminal {
namespace {

constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();

protocol_error_code client_error(std::string_view text) {
  auto parsed = parse_client_text(text);
  EXPECT_FALSE(parsed) << text;
  return parsed ? protocol_error_code::malformed : parsed.error().code;
}

TEST(output_frame, starts_with_the_offset_in_eight_big_endian_bytes) {
  const auto frame = encode_output(0x0102030405060708, "hi");
  EXPECT_EQ(frame, std::string("\x01\x02\x03\x04\x05\x06\x07\x08hi", 10));
}

TEST(output_frame, round_trips_offsets_up_to_int64_max_and_any_bytes) {
  const std::string bytes("\0\xff\x1b[31mred\r\n", 12);
  for (std::int64_t offset :
       {std::int64_t{0}, std::int64_t{255}, std::int64_t{1} << 40, int64_max}) {
    const auto frame = encode_output(offset, bytes);
    auto decoded = decode_output(frame);
    ASSERT_TRUE(decoded) << offset;
    EXPECT_EQ(decoded->offset, offset);
    EXPECT_EQ(decoded->bytes, bytes);
  }
  auto empty = decode_output(encode_output(7, ""));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->offset, 7);
  EXPECT_TRUE(empty->bytes.empty());
}

TEST(output_frame, refuses_frames_shorter_than_the_header_and_offsets_above_int64_max) {
  for (std::size_t size = 0; size < output_header_size; ++size) {
    auto decoded = decode_output(std::string(size, '\0'));
    ASSERT_FALSE(decoded) << size;
    EXPECT_EQ(decoded.error().code, protocol_error_code::malformed);
  }
  auto huge = decode_output(std::string("\x80\0\0\0\0\0\0\0x", 9));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, protocol_error_code::out_of_range);
}

TEST(client_text, round_trips_every_client_message) {
  for (const client_message& message :
       {client_message{resize_message{80, 24}}, client_message{resize_message{1000, 500}},
        client_message{resize_message{1, 1}}, client_message{ack_message{0}},
        client_message{ack_message{int64_max}}, client_message{ping_message{}}}) {
    const auto text = encode_client_message(message);
    auto parsed = parse_client_text(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, message) << text;
  }
}

TEST(client_text, reads_the_documented_examples_whatever_the_key_order) {
  const client_message resize = resize_message{120, 40};
  EXPECT_EQ(parse_client_text(R"({"type":"resize","cols":120,"rows":40})").value(), resize);
  EXPECT_EQ(parse_client_text(R"( { "rows" : 40 , "cols" : 120 , "type" : "resize" } )").value(),
            resize);
  const client_message ack = ack_message{5000};
  EXPECT_EQ(parse_client_text(R"({"type":"ack","offset":5000})").value(), ack);
  const client_message ping = ping_message{};
  EXPECT_EQ(parse_client_text(R"({"type":"ping"})").value(), ping);
}

TEST(client_text, refuses_malformed_json_and_non_objects) {
  for (const char* text : {"{", "}", "nul", "[]", "\"ping\"", "42", "{\"type\":\"ping\"}}",
                           "{\"type\":\"ping\",}", "{'type':'ping'}", "{\"type\":\"ping\"} {}"}) {
    EXPECT_EQ(client_error(text), protocol_error_code::malformed) << text;
  }
}

TEST(client_text, refuses_binary_garbage_sent_as_text) {
  EXPECT_EQ(client_error(std::string("\x00\x01\xfe\xff", 4)), protocol_error_code::malformed);
  EXPECT_EQ(client_error("{\"type\":\"ping\xc3\x28\"}"), protocol_error_code::malformed);
  EXPECT_EQ(client_error(encode_output(0, "{\"type\":\"ping\"}")), protocol_error_code::malformed);
}

TEST(client_text, refuses_empty_and_oversized_frames_before_parsing) {
  EXPECT_EQ(client_error(""), protocol_error_code::empty_frame);
  const std::string padded =
      R"({"type":"ping","x":")" + std::string(max_client_text_size, 'a') + "\"}";
  EXPECT_EQ(client_error(padded), protocol_error_code::frame_too_large);
  const std::string megabyte(1 << 20, '[');
  EXPECT_EQ(client_error(megabyte), protocol_error_code::frame_too_large);
  EXPECT_TRUE(ends_stream(protocol_error_code::frame_too_large));
}

TEST(client_text, refuses_a_missing_unknown_or_mistyped_type) {
  EXPECT_EQ(client_error("{}"), protocol_error_code::missing_field);
  EXPECT_EQ(client_error(R"({"cols":80,"rows":24})"), protocol_error_code::missing_field);
  EXPECT_EQ(client_error(R"({"type":"shutdown"})"), protocol_error_code::unknown_type);
  EXPECT_EQ(client_error(R"({"type":"pong"})"), protocol_error_code::unknown_type);
  EXPECT_EQ(client_error(R"({"type":"PING"})"), protocol_error_code::unknown_type);
  EXPECT_EQ(client_error(R"({"type":""})"), protocol_error_code::unknown_type);
  EXPECT_EQ(client_error(R"({"type":1})"), protocol_error_code::wrong_type);
  EXPECT_EQ(client_error(R"({"type":["ping"]})"), protocol_error_code::wrong_type);
  EXPECT_EQ(client_error(R"({"type":null})"), protocol_error_code::wrong_type);
}

TEST(client_text, refuses_extra_fields_naming_them) {
  auto parsed = parse_client_text(R"({"type":"ping","data":"x"})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, protocol_error_code::unknown_field);
  EXPECT_NE(parsed.error().message.find("data"), std::string::npos);
  EXPECT_EQ(client_error(R"({"type":"resize","cols":80,"rows":24,"x":0})"),
            protocol_error_code::unknown_field);
  EXPECT_EQ(client_error(R"({"type":"ack","offset":1,"offset2":2})"),
            protocol_error_code::unknown_field);
}

TEST(client_text, refuses_missing_and_mistyped_fields) {
  EXPECT_EQ(client_error(R"({"type":"resize","cols":80})"), protocol_error_code::missing_field);
  EXPECT_EQ(client_error(R"({"type":"ack"})"), protocol_error_code::missing_field);
  for (const char* text :
       {R"({"type":"resize","cols":"80","rows":24})", R"({"type":"resize","cols":80.0,"rows":24})",
        R"({"type":"resize","cols":80,"rows":2.4e1})", R"({"type":"resize","cols":true,"rows":24})",
        R"({"type":"resize","cols":null,"rows":24})", R"({"type":"ack","offset":1.5})",
        R"({"type":"ack","offset":"10"})", R"({"type":"ack","offset":1e300})",
        R"({"type":"ack","offset":123456789012345678901234567890})"}) {
    EXPECT_EQ(client_error(text), protocol_error_code::wrong_type) << text;
  }
}

TEST(client_text, refuses_sizes_and_offsets_out_of_range) {
  for (const char* text :
       {R"({"type":"resize","cols":0,"rows":24})", R"({"type":"resize","cols":1001,"rows":24})",
        R"({"type":"resize","cols":80,"rows":0})", R"({"type":"resize","cols":80,"rows":501})",
        R"({"type":"resize","cols":-80,"rows":24})",
        R"({"type":"resize","cols":4294967376,"rows":24})", R"({"type":"ack","offset":-1})",
        R"({"type":"ack","offset":-9223372036854775808})",
        R"({"type":"ack","offset":9223372036854775808})",
        R"({"type":"ack","offset":18446744073709551615})"}) {
    EXPECT_EQ(client_error(text), protocol_error_code::out_of_range) << text;
  }
}

TEST(client_text, refuses_nested_garbage_without_throwing) {
  EXPECT_EQ(client_error(R"({"type":{"type":"ping"}})"), protocol_error_code::wrong_type);
  EXPECT_EQ(client_error(R"({"type":"ack","offset":{"n":[1,2,{"x":null}]}})"),
            protocol_error_code::wrong_type);
  const std::string deep =
      R"({"type":"ping","x":)" + std::string(1000, '[') + std::string(1000, ']') + "}";
  EXPECT_EQ(client_error(deep), protocol_error_code::malformed);
}

TEST(client_input, accepts_any_bytes_up_to_the_limit_but_not_empty_frames) {
  EXPECT_TRUE(check_client_input("ls\r"));
  EXPECT_TRUE(check_client_input(std::string("\0\xff\x1b", 3)));
  EXPECT_TRUE(check_client_input(std::string(max_client_input_size, 'x')));
  EXPECT_EQ(check_client_input("").error().code, protocol_error_code::empty_frame);
  EXPECT_EQ(check_client_input(std::string(max_client_input_size + 1, 'x')).error().code,
            protocol_error_code::frame_too_large);
}

TEST(server_text, round_trips_every_server_message) {
  for (const server_message& message : {
           server_message{attached_message{100, 250, false, 80, 24}},
           server_message{attached_message{250, 250, true, 1000, 500}},
           server_message{snapshot_message{"\x1b[H\x1b[2J\x1b[1;31mr\xc3\xa9"
                                           "d\x1b[0m\r\n"}},
           server_message{exit_message{0, false}},
           server_message{exit_message{9, true}},
           server_message{error_message{"unknown_type", "unknown message type `x`"}},
           server_message{pong_message{}},
           server_message{status_message{"running", 2, 120, 40}},
       }) {
    const auto text = encode_server_message(message);
    auto parsed = parse_server_text(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, message) << text;
  }
}

TEST(server_text, writes_the_documented_shapes) {
  EXPECT_EQ(encode_server_message(attached_message{0, 5120, false, 80, 24}),
            R"({"type":"attached","from":0,"to":5120,"snapshot":false,"cols":80,"rows":24})");
  EXPECT_EQ(encode_server_message(exit_message{130, false}),
            R"({"type":"exit","status":130,"signaled":false})");
  EXPECT_EQ(encode_server_message(pong_message{}), R"({"type":"pong"})");
  EXPECT_EQ(encode_error({protocol_error_code::rate_limited, "slow down"}),
            R"({"type":"error","code":"rate_limited","message":"slow down"})");
  EXPECT_EQ(encode_server_message(snapshot_message{"\x1b[H"}),
            R"({"type":"snapshot","data":"\u001b[H"})");
}

TEST(server_text, ignores_unknown_fields_but_not_unknown_types_or_bad_values) {
  auto newer = parse_server_text(R"({"type":"pong","at":17})");
  ASSERT_TRUE(newer);
  EXPECT_EQ(*newer, server_message{pong_message{}});
  EXPECT_EQ(parse_server_text(R"({"type":"resize"})").error().code,
            protocol_error_code::unknown_type);
  EXPECT_EQ(parse_server_text(R"({"type":"attached","from":9,"to":8,"snapshot":false,)"
                              R"("cols":80,"rows":24})")
                .error()
                .code,
            protocol_error_code::out_of_range);
  EXPECT_EQ(parse_server_text(R"({"type":"exit","status":0})").error().code,
            protocol_error_code::missing_field);
}

TEST(error_codes, have_stable_names_and_close_only_when_the_stream_cannot_go_on) {
  EXPECT_EQ(to_string(protocol_error_code::offset_ahead), "offset_ahead");
  EXPECT_EQ(to_string(protocol_error_code::unknown_session), "unknown_session");
  EXPECT_FALSE(ends_stream(protocol_error_code::unknown_type));
  EXPECT_FALSE(ends_stream(protocol_error_code::malformed));
  EXPECT_TRUE(ends_stream(protocol_error_code::rate_limited));
  EXPECT_TRUE(ends_stream(protocol_error_code::invalid_ack));
  EXPECT_TRUE(ends_stream(protocol_error_code::offset_ahead));
  EXPECT_TRUE(ends_stream(protocol_error_code::unknown_session));
  EXPECT_EQ(to_string(protocol_error_code::too_many_clients), "too_many_clients");
  EXPECT_TRUE(ends_stream(protocol_error_code::too_many_clients));
}

TEST(resume_offset, reads_decimal_digits_up_to_int64_max) {
  EXPECT_EQ(parse_resume_offset("0"), 0);
  EXPECT_EQ(parse_resume_offset("0012"), 12);
  EXPECT_EQ(parse_resume_offset("9223372036854775807"), int64_max);
  EXPECT_EQ(parse_resume_offset("9223372036854775808").error().code,
            protocol_error_code::out_of_range);
  EXPECT_EQ(parse_resume_offset("99999999999999999999999").error().code,
            protocol_error_code::out_of_range);
  for (const char* text : {"", "-1", "+1", "1e3", "0x10", " 1", "1 ", "1.0"}) {
    EXPECT_EQ(parse_resume_offset(text).error().code, protocol_error_code::malformed) << text;
  }
}

TEST(resume_plan, replays_exactly_from_any_held_offset_including_both_ends) {
  EXPECT_EQ(plan_resume(1000, 1000, 5000), resume_plan{exact_replay{1000}});
  EXPECT_EQ(plan_resume(3000, 1000, 5000), resume_plan{exact_replay{3000}});
  EXPECT_EQ(plan_resume(5000, 1000, 5000), resume_plan{exact_replay{5000}});
  EXPECT_EQ(plan_resume(0, 0, 0), resume_plan{exact_replay{0}});
}

TEST(resume_plan, sends_a_snapshot_when_the_offset_is_no_longer_held) {
  EXPECT_EQ(plan_resume(999, 1000, 5000), resume_plan{snapshot_then_live{5000}});
  EXPECT_EQ(plan_resume(0, 1, 1), resume_plan{snapshot_then_live{1}});
}

TEST(resume_plan, gives_a_client_without_an_offset_a_snapshot_unless_nothing_was_printed) {
  EXPECT_EQ(plan_resume(std::nullopt, 0, 5000), resume_plan{snapshot_then_live{5000}});
  EXPECT_EQ(plan_resume(std::nullopt, 0, 0), resume_plan{exact_replay{0}});
}

TEST(resume_plan, refuses_offsets_beyond_the_end_and_negative_ones) {
  auto ahead = plan_resume(5001, 1000, 5000);
  ASSERT_FALSE(ahead);
  EXPECT_EQ(ahead.error().code, protocol_error_code::offset_ahead);
  EXPECT_EQ(plan_resume(int64_max, 0, 0).error().code, protocol_error_code::offset_ahead);
  EXPECT_EQ(plan_resume(-1, 0, 5000).error().code, protocol_error_code::out_of_range);
}

}  // namespace
}  // namespace berth::terminal
