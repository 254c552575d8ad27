#include "actors/session_events.hpp"

#include <gtest/gtest.h>

#include "actors/session_state.hpp"

namespace berth::actors {
namespace {

namespace ev = session_event;

/// Encoding then decoding must give the same event: same alternative, same stored form.
void expect_round_trip(const session_event_variant& event) {
  const auto encoded = encode(event);
  const auto decoded = decode_session_event(encoded.type, encoded.data);
  ASSERT_TRUE(decoded) << encoded.type << " " << encoded.data;
  EXPECT_EQ(decoded->index(), event.index());
  EXPECT_EQ(encode(*decoded).type, encoded.type);
  EXPECT_EQ(encode(*decoded).data, encoded.data);
}

TEST(session_events, round_trip_through_their_json_form) {
  expect_round_trip(ev::opened{"s", "w", "u", "k", 100, 30, 1000});
  expect_round_trip(ev::output_recorded{5, 6});
  expect_round_trip(ev::input_recorded{3});
  expect_round_trip(ev::resized{120, 40});
  expect_round_trip(ev::client_attached{"c", "u", "10.0.0.1"});
  expect_round_trip(ev::client_detached{"c", "", ""});
  expect_round_trip(ev::renamed{"build ☃ log"});
  expect_round_trip(ev::closed{"exited", 3, false});
  expect_round_trip(ev::closed{"exited", 9, true});
  expect_round_trip(ev::closed{"grace_expired", std::nullopt, false});
  expect_round_trip(ev::keeper_refused{"output: offset overflows"});
}

TEST(session_events, decode_the_fields_they_were_given) {
  const auto closed = decode_session_event("SessionClosed", encode(ev::closed{"x", 9, true}).data);
  ASSERT_TRUE(closed);
  const auto& how = std::get<ev::closed>(*closed);
  EXPECT_EQ(how.reason, "x");
  EXPECT_EQ(how.exit_status, 9);
  EXPECT_TRUE(how.signaled);
  const auto output = decode_session_event("OutputRecorded", R"({"length":3,"offset":7})");
  ASSERT_TRUE(output);
  EXPECT_EQ(std::get<ev::output_recorded>(*output).offset, 7);
  EXPECT_EQ(std::get<ev::output_recorded>(*output).length, 3);
}

// The stored form of the builders before the codec existed, byte for byte: databases hold it
// and the hash chain covers it.
TEST(session_events, keep_the_stored_form_of_earlier_versions) {
  const session_origin origin{"u1", "10.0.0.1", "", "", ""};
  session_state opened;
  opened.id = "s1";
  opened.workspace_id = "w1";
  opened.user_id = "u1";
  opened.keeper_session = "s1";
  opened.cols = 100;
  opened.rows = 30;
  opened.opened_ms = 1700000000000;
  const std::vector<std::pair<events::new_event, std::string>> expected{
      {session_opened_event(opened, origin),
       R"({"session_id":"s1","workspace_id":"w1","user_id":"u1","keeper_session":"s1",)"
       R"("cols":100,"rows":30,"opened_ms":1700000000000})"},
      {output_recorded_event(4096, "hello", origin), R"({"offset":4096,"length":5})"},
      {input_recorded_event("ls\r", origin), R"({"length":3})"},
      {new_session_event(session_event::resized{120, 40}, origin), R"({"cols":120,"rows":40})"},
      {new_session_event(session_event::client_attached{"c1", "u1", origin.remote_address}, origin),
       R"({"client_id":"c1","user_id":"u1","remote_address":"10.0.0.1"})"},
      {new_session_event(session_event::client_detached{"c1", "", origin.remote_address}, origin),
       R"({"client_id":"c1","user_id":"","remote_address":"10.0.0.1"})"},
      {new_session_event(session_event::renamed{"build ☃"}, origin), R"({"name":"build ☃"})"},
      {new_session_event(session_event::closed{"exited", 3, false}, origin),
       R"({"reason":"exited","exit_status":3,"signaled":false})"},
      {new_session_event(session_event::closed{"grace_expired", std::nullopt, false}, origin),
       R"({"reason":"grace_expired","exit_status":null})"},
  };
  const std::vector<std::string> types{"SessionOpened",  "OutputRecorded", "InputRecorded",
                                       "SessionResized", "ClientAttached", "ClientDetached",
                                       "SessionRenamed", "SessionClosed",  "SessionClosed"};
  ASSERT_EQ(expected.size(), types.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i].first.type, types[i]);
    EXPECT_EQ(expected[i].first.data, expected[i].second);
    EXPECT_EQ(expected[i].first.metadata, R"({"actor":"u1","remote_address":"10.0.0.1"})");
    EXPECT_TRUE(decode_session_event(types[i], expected[i].second)) << types[i];
  }
  EXPECT_EQ(expected[1].first.body, "hello");
}

TEST(session_events, refuse_unknown_types_and_malformed_data) {
  EXPECT_FALSE(decode_session_event("SessionTeleported", "{}"));
  EXPECT_FALSE(decode_session_event("SessionRenamed", "not json"));
  EXPECT_FALSE(decode_session_event("SessionRenamed", "[1,2"));
  EXPECT_FALSE(decode_session_event("SessionRenamed", R"(["name"])"));
  EXPECT_FALSE(decode_session_event("SessionRenamed", "{}"));
  EXPECT_FALSE(decode_session_event("SessionOpened", R"({"session_id":"s"})"));
  EXPECT_FALSE(decode_session_event("ClientAttached", R"({"client_id":"c","user_id":"u"})"));
  EXPECT_FALSE(decode_session_event("SessionClosed", R"({"reason":"exited"})"));
  EXPECT_FALSE(decode_session_event("SessionClosed", R"({"reason":"exited","exit_status":3})"));
}

TEST(session_events, refuse_fields_of_the_wrong_json_type) {
  EXPECT_FALSE(decode_session_event("SessionRenamed", R"({"name":5})"));
  EXPECT_FALSE(decode_session_event("SessionRenamed", R"({"name":null})"));
  EXPECT_FALSE(decode_session_event("SessionResized", R"({"cols":"80","rows":24})"));
  EXPECT_FALSE(decode_session_event("SessionResized", R"({"cols":80.0,"rows":24})"));
  EXPECT_FALSE(decode_session_event("InputRecorded", R"({"length":true})"));
  EXPECT_FALSE(decode_session_event("ClientDetached",
                                    R"({"client_id":1,"user_id":"u","remote_address":""})"));
  EXPECT_FALSE(decode_session_event("SessionClosed",
                                    R"({"reason":"exited","exit_status":"3","signaled":false})"));
  EXPECT_FALSE(
      decode_session_event("SessionClosed", R"({"reason":"exited","exit_status":3,"signaled":0})"));
  EXPECT_FALSE(decode_session_event("SessionClosed",
                                    R"({"reason":"exited","exit_status":null,"signaled":"no"})"));
}

TEST(session_events, refuse_numbers_out_of_range) {
  EXPECT_FALSE(decode_session_event("OutputRecorded", R"({"offset":-1,"length":3})"));
  EXPECT_FALSE(decode_session_event("OutputRecorded", R"({"offset":0,"length":-3})"));
  // Both fit in an int64, their sum does not.
  EXPECT_FALSE(
      decode_session_event("OutputRecorded", R"({"offset":9223372036854775800,"length":8})"));
  EXPECT_TRUE(
      decode_session_event("OutputRecorded", R"({"offset":9223372036854775800,"length":7})"));
  EXPECT_FALSE(
      decode_session_event("OutputRecorded", R"({"offset":18446744073709551615,"length":1})"));
  EXPECT_FALSE(decode_session_event("SessionResized", R"({"cols":4294967296,"rows":24})"));
  EXPECT_FALSE(decode_session_event(
      "SessionClosed", R"({"reason":"exited","exit_status":4294967296,"signaled":false})"));
}

TEST(session_events, find_the_offset_of_output_events_only) {
  const auto output = output_recorded_event(4096, "hello", {});
  EXPECT_EQ(output_offset_of(output), 4096);
  events::recorded_event stored;
  stored.type = "OutputRecorded";
  stored.data = R"({"length":5,"offset":123})";
  EXPECT_EQ(output_offset_of(stored), 123);
  stored.data = R"({"offset":"123","length":5})";
  EXPECT_FALSE(output_offset_of(stored));
  stored.type = "SessionRenamed";
  stored.data = R"({"name":"x","offset":7})";
  EXPECT_FALSE(output_offset_of(stored));
  EXPECT_FALSE(output_offset_of(new_session_event(session_event::resized{80, 24}, {})));
}

}  // namespace
}  // namespace berth::actors
