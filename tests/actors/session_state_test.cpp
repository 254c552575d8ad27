#include <gtest/gtest.h>

#include "actors/session_state.hpp"

namespace berth::actors {
namespace {

/// An event as the store would hand it back: version and time filled in.
events::recorded_event recorded(const events::new_event& event, std::int64_t version,
                                std::int64_t at_ms) {
  events::recorded_event out;
  out.stream_id = "session-s1";
  out.stream_version = version;
  out.type = event.type;
  out.data = event.data;
  out.body = event.body;
  out.recorded_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms));
  return out;
}

session_state opened_state() {
  session_state opened;
  opened.id = "s1";
  opened.workspace_id = "w1";
  opened.user_id = "u1";
  opened.keeper_session = "s1";
  opened.cols = 100;
  opened.rows = 30;
  opened.opened_ms = 1000;
  return opened;
}

TEST(session_state, folds_its_events) {
  const session_origin origin;
  session_state state;
  evolve(state, recorded(session_opened_event(opened_state(), origin), 1, 1000));
  EXPECT_TRUE(state.exists());
  EXPECT_EQ(state.workspace_id, "w1");
  EXPECT_EQ(state.cols, 100);
  evolve(state, recorded(output_recorded_event(0, "hello", origin), 2, 1010));
  evolve(state, recorded(output_recorded_event(5, " world", origin), 3, 1020));
  EXPECT_EQ(state.output_end, 11);
  ASSERT_EQ(state.output_index.size(), 2u);
  EXPECT_EQ(state.output_index[1].offset, 5);
  EXPECT_EQ(state.output_index[1].version, 3);
  evolve(state, recorded(input_recorded_event("ls\r", origin), 4, 1030));
  EXPECT_EQ(state.input_bytes, 3);
  evolve(state, recorded(new_session_event(session_event::resized{120, 40}, origin), 5, 1040));
  EXPECT_EQ(state.cols, 120);
  EXPECT_EQ(state.rows, 40);
  evolve(state,
         recorded(new_session_event(
                      session_event::client_attached{"c1", "u1", origin.remote_address}, origin),
                  6, 1050));
  EXPECT_EQ(state.attached_clients.size(), 1u);
  evolve(state,
         recorded(new_session_event(
                      session_event::client_detached{"c1", "u1", origin.remote_address}, origin),
                  7, 1060));
  EXPECT_TRUE(state.attached_clients.empty());
  EXPECT_EQ(state.unattended_since_ms, 1060);
  EXPECT_FALSE(state.closed);
  evolve(state,
         recorded(new_session_event(session_event::closed{"exited", 3, false}, origin), 8, 1070));
  ASSERT_TRUE(state.closed);
  EXPECT_EQ(state.closed->reason, "exited");
  EXPECT_EQ(state.closed->exit_status, 3);
  EXPECT_EQ(state.version, 8);
  EXPECT_EQ(state.last_event_ms, 1070);
}

TEST(session_state, takes_the_latest_name_even_after_the_close) {
  session_state state;
  evolve(state, recorded(session_opened_event(opened_state(), {}), 1, 1000));
  EXPECT_EQ(state.name, "");
  evolve(state, recorded(new_session_event(session_event::renamed{"build"}, {}), 2, 1010));
  evolve(state,
         recorded(new_session_event(session_event::closed{"exited", 0, false}, {}), 3, 1020));
  evolve(state, recorded(new_session_event(session_event::renamed{"build ☃ log"}, {}), 4, 1030));
  EXPECT_EQ(state.name, "build ☃ log");
  EXPECT_TRUE(state.closed);
}

TEST(session_state, accepts_names_of_1_to_64_printable_characters) {
  for (const auto& name : std::vector<std::string>{
           "a", "tab 2", "ünïcödé ☃ 🚀", std::string(64, 'x'), "日本語" + std::string(61, '.')}) {
    EXPECT_EQ(session_name_problem(name), "") << name;
  }
  EXPECT_NE(session_name_problem(""), "");
  EXPECT_NE(session_name_problem(std::string(65, 'x')), "");
  EXPECT_NE(session_name_problem("日本語" + std::string(62, '.')), "");
}

TEST(session_state, refuses_names_with_control_characters_or_broken_utf8) {
  for (const auto& name : std::vector<std::string>{
           std::string("a\nb"), std::string("tab\t"), std::string("\x1b[31m"), std::string("a\x7f"),
           std::string("a\xc2\x85"
                       "b"),  // U+0085, a C1 control
           std::string("a\0b", 3), std::string("\xff"), std::string("\xc3"),  // cut short
           std::string("\xc0\xaf"),                                           // overlong '/'
           std::string("\xed\xa0\x80"),                                       // a surrogate
           std::string("\xf4\x90\x80\x80")}) {                                // past U+10FFFF
    EXPECT_NE(session_name_problem(name), "") << name;
  }
}

TEST(session_state, refuses_names_with_bidirectional_controls) {
  // "Trojan Source": U+202E shows "build.exe" reversed; U+2066-2069 isolates; U+200E/F marks.
  for (const auto& name : std::vector<std::string>{"evil\u202Etxt.exe", "a\u2066b\u2069",
                                                   "x\u200Fy", "\u061Cz", "\u202Aleft"}) {
    EXPECT_EQ(session_name_problem(name), "name must not contain bidirectional control characters")
        << name;
  }
  EXPECT_EQ(session_name_problem("\u05E9\u05DC\u05D5\u05DD"), "");  // Hebrew text itself is fine
}

TEST(session_state, records_a_close_without_exit_status) {
  session_state state;
  evolve(state, recorded(new_session_event(
                             session_event::closed{"grace_expired", std::nullopt, false}, {}),
                         2, 5));
  ASSERT_TRUE(state.closed);
  EXPECT_EQ(state.closed->reason, "grace_expired");
  EXPECT_FALSE(state.closed->exit_status);
}

TEST(session_state, counts_an_unreadable_or_unknown_event_without_folding_it) {
  session_state state;
  evolve(state, recorded(session_opened_event(opened_state(), {}), 1, 1000));
  events::recorded_event garbage;
  garbage.stream_version = 2;
  garbage.recorded_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1010));
  for (const auto& [type, data] : std::vector<std::pair<std::string, std::string>>{
           {"OutputRecorded", "[1,2"},
           {"OutputRecorded", R"({"offset":9223372036854775800,"length":8})"},
           {"SessionResized", R"({"cols":"wide","rows":24})"}}) {
    garbage.type = type;
    garbage.data = data;
    EXPECT_EQ(evolve(state, garbage), fold_outcome::unreadable) << data;
    ++garbage.stream_version;
  }
  garbage.type = "SessionTeleported";
  garbage.data = "{}";
  EXPECT_EQ(evolve(state, garbage), fold_outcome::unknown_type);
  EXPECT_EQ(state.version, 5);
  EXPECT_EQ(state.last_event_ms, 1010);
  EXPECT_TRUE(state.output_index.empty());
  EXPECT_EQ(state.output_end, 0);
  EXPECT_EQ(state.cols, 100);
}

TEST(session_state, counts_grace_only_while_the_server_was_up_and_no_client_attached) {
  const session_origin origin;
  session_state state;
  evolve(state, recorded(session_opened_event(opened_state(), origin), 1, 1'000));
  evolve(state,
         recorded(new_session_event(
                      session_event::client_attached{"c1", "u1", origin.remote_address}, origin),
                  2, 2'000));
  evolve(state, recorded(output_recorded_event(0, "x", origin), 3, 3'000));
  // Killed while a client was attached: no grace used, however long it stays down.
  EXPECT_EQ(grace_spent_before_restart(state), std::chrono::milliseconds(0));
  evolve(state,
         recorded(new_session_event(
                      session_event::client_detached{"c1", "u1", origin.remote_address}, origin),
                  4, 10'000));
  evolve(state, recorded(output_recorded_event(1, "y", origin), 5, 12'500));
  // Detached at 10 s, last event at 12.5 s, then the server died: 2.5 s used, and the hours
  // it may have been down (recorded_at of nothing) add nothing.
  EXPECT_EQ(grace_spent_before_restart(state), std::chrono::milliseconds(2'500));
}

TEST(session_state, finds_the_chunk_holding_an_offset) {
  const std::vector<output_chunk> index{{0, 10, 2}, {10, 25, 3}, {25, 30, 5}};
  EXPECT_EQ(chunk_holding(index, 0), 0u);
  EXPECT_EQ(chunk_holding(index, 9), 0u);
  EXPECT_EQ(chunk_holding(index, 10), 1u);
  EXPECT_EQ(chunk_holding(index, 29), 2u);
  EXPECT_EQ(chunk_holding(index, 30), 3u);
  EXPECT_EQ(chunk_holding({}, 0), 0u);
}

}  // namespace
}  // namespace berth::actors
