#include "projections/sessions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/projections/event_factory.hpp"

namespace berth::projections {
namespace {

using ::testing::HasSubstr;
using testing::recorded;
using testing::single_change;

TEST(session_projection, opens_a_session_row) {
  const auto change = single_change(apply_session_event(
      recorded("session-s1", 1, "SessionOpened",
               R"({"session_id":"s1","workspace_id":"w1","user_id":"u1","keeper_session":"k",)"
               R"("cols":80,"rows":24,"opened_ms":5000})")));
  EXPECT_THAT(change.statement, HasSubstr("INSERT INTO rm_sessions"));
  EXPECT_THAT(change.statement, HasSubstr("ON CONFLICT (session_id) DO NOTHING"));
  const std::vector<std::optional<std::string>> expected{"s1", "w1", "u1", "80", "24", "5000", "1"};
  EXPECT_EQ(change.params, expected);
}

TEST(session_projection, output_only_moves_the_byte_count_to_the_chunks_end) {
  const auto change = single_change(apply_session_event(
      recorded("session-s1", 7, "OutputRecorded", R"({"offset":4096,"length":100})")));
  EXPECT_EQ(change.statement,
            "UPDATE rm_sessions SET output_bytes = $3, version = $2 WHERE session_id = $1 AND "
            "version < $2");
  const std::vector<std::optional<std::string>> expected{"s1", "7", "4196"};
  EXPECT_EQ(change.params, expected);
}

TEST(session_projection, resizes) {
  const auto change = single_change(apply_session_event(
      recorded("session-s1", 2, "SessionResized", R"({"cols":120,"rows":40})")));
  EXPECT_THAT(change.statement, HasSubstr("cols = $3, rows = $4"));
  EXPECT_EQ(change.params.at(2), "120");
  EXPECT_EQ(change.params.at(3), "40");
}

TEST(session_projection, closes_at_the_time_the_close_was_recorded) {
  const auto change = single_change(apply_session_event(
      recorded("session-s1", 9, "SessionClosed", R"({"reason":"exited","exit_status":3})")));
  EXPECT_THAT(change.statement, HasSubstr("state = 'closed'"));
  const std::vector<std::optional<std::string>> expected{"s1", "9", "1795000000123", "exited", "3"};
  EXPECT_EQ(change.params, expected);
}

TEST(session_projection, leaves_an_unknown_exit_status_null) {
  const auto change = single_change(apply_session_event(
      recorded("session-s1", 9, "SessionClosed", R"({"reason":"grace_expired"})")));
  EXPECT_EQ(change.params.at(4), std::nullopt);
}

TEST(session_projection, renames_open_and_closed_sessions_alike) {
  const auto change = single_change(
      apply_session_event(recorded("session-s1", 10, "SessionRenamed", R"({"name":"logs ☃"})")));
  EXPECT_EQ(change.statement,
            "UPDATE rm_sessions SET name = $3, version = $2 WHERE session_id = $1 AND "
            "version < $2");
  const std::vector<std::optional<std::string>> expected{"s1", "10", "logs ☃"};
  EXPECT_EQ(change.params, expected);
}

TEST(session_projection, knows_input_and_clients_but_shows_nothing_of_them) {
  for (const auto* type : {"InputRecorded", "ClientAttached", "ClientDetached"}) {
    const auto result = apply_session_event(recorded("session-s1", 3, type));
    ASSERT_TRUE(result) << type;
    EXPECT_TRUE(result->empty()) << type;
  }
}

TEST(session_projection, skips_unknown_session_event_types) {
  EXPECT_FALSE(apply_session_event(recorded("session-s1", 2, "SessionShared")));
}

}  // namespace
}  // namespace berth::projections
