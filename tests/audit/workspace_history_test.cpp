#include "audit/workspace_history.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace berth::audit {
namespace {

namespace ev = actors::workspace_event;
using std::chrono::microseconds;

constexpr std::int64_t created_us = 1'795'438'800'000'000;  // 2026-11-23T13:00:00Z

/// Version `version` of `workspace-w1`, recorded `after_us` after the workspace was created.
events::recorded_event recorded(std::int64_t version, const actors::workspace_event_variant& event,
                                std::int64_t after_us, std::string metadata = R"({"actor":"u1"})") {
  const auto encoded = actors::encode(event);
  events::recorded_event out;
  out.stream_id = "workspace-w1";
  out.stream_version = version;
  out.type = encoded.type;
  out.data = encoded.data;
  out.metadata = std::move(metadata);
  out.recorded_at = std::chrono::system_clock::time_point(microseconds(created_us + after_us));
  return out;
}

std::vector<events::recorded_event> a_stream() {
  ev::created created{"w1", "u1", "first name", "t1",        "berth-workspace:abc",
                      {},   1800, false,        {"API_KEY"}, created_us / 1000};
  return {
      recorded(1, created, 0,
               R"({"actor":"u1","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","node":"n"})"),
      recorded(2, ev::container_provisioned{"c1", "berth-ws-w1"}, 1'000'000, R"({})"),
      recorded(3, ev::started{"user", "started", created_us / 1000 + 1000}, 1'000'000),
      recorded(4, ev::renamed{"second name"}, 5'000'000),
      recorded(5, ev::stopped{"idle", created_us / 1000 + 9000}, 9'000'000,
               R"({"actor":"system"})"),
  };
}

time_point at(std::int64_t after_us) {
  return time_point(microseconds(created_us + after_us));
}

TEST(workspace_history, folds_every_event_when_no_time_is_given) {
  const auto history = fold_history("w1", a_stream(), std::nullopt);
  ASSERT_TRUE(history) << history.error();
  EXPECT_EQ(history->state.status, actors::workspace_status::stopped);
  EXPECT_EQ(history->state.name, "second name");
  EXPECT_EQ(history->state.version, 5);
  ASSERT_EQ(history->events.size(), 5u);
  for (const auto& event : history->events)
    EXPECT_TRUE(event.in_state) << event.version;
}

TEST(workspace_history, holds_only_the_events_recorded_at_or_before_the_time) {
  // Between the start and the rename: running under its first name.
  auto history = fold_history("w1", a_stream(), at(4'999'999));
  ASSERT_TRUE(history) << history.error();
  EXPECT_EQ(history->state.status, actors::workspace_status::running);
  EXPECT_EQ(history->state.name, "first name");
  EXPECT_EQ(history->state.container_id, "c1");
  EXPECT_EQ(history->state.version, 3);
  ASSERT_EQ(history->events.size(), 5u) << "the listing keeps the later events";
  EXPECT_TRUE(history->events[2].in_state);
  EXPECT_FALSE(history->events[3].in_state);
  EXPECT_FALSE(history->events[4].in_state);

  // The time is inclusive: at the rename's own microsecond, the rename happened.
  history = fold_history("w1", a_stream(), at(5'000'000));
  ASSERT_TRUE(history);
  EXPECT_EQ(history->state.name, "second name");
  EXPECT_EQ(history->state.version, 4);
}

TEST(workspace_history, equals_the_fold_of_the_earlier_events_alone) {
  const auto stream = a_stream();
  const std::vector<events::recorded_event> first_three(stream.begin(), stream.begin() + 3);
  const auto whole = fold_history("w1", stream, at(2'000'000));
  const auto prefix = fold_history("w1", first_three, std::nullopt);
  ASSERT_TRUE(whole && prefix);
  EXPECT_EQ(boost::json::serialize(history_json(*whole).at("state")),
            boost::json::serialize(history_json(*prefix).at("state")));
}

TEST(workspace_history, shows_a_workspace_that_did_not_exist_yet) {
  const auto history = fold_history("w1", a_stream(), at(-1));
  ASSERT_TRUE(history);
  EXPECT_EQ(history->state.status, actors::workspace_status::none);
  EXPECT_EQ(history->state.version, 0);
  EXPECT_FALSE(history->events[0].in_state);
}

TEST(workspace_history, folds_a_prefix_even_if_a_later_event_carries_an_earlier_time) {
  auto stream = a_stream();
  stream[4].recorded_at = stream[0].recorded_at;
  const auto history = fold_history("w1", stream, at(2'000'000));
  ASSERT_TRUE(history);
  EXPECT_EQ(history->state.version, 3);
  EXPECT_FALSE(history->events[4].in_state);
}

TEST(workspace_history, refuses_to_guess_past_an_undecodable_event) {
  auto stream = a_stream();
  stream[1].type = "WorkspaceTeleported";
  const auto history = fold_history("w1", stream, std::nullopt);
  ASSERT_FALSE(history);
  EXPECT_NE(history.error().find("WorkspaceTeleported at version 2"), std::string::npos);
  // Before that event was recorded, the state is still known.
  EXPECT_TRUE(fold_history("w1", stream, at(0)));
}

TEST(workspace_history, renders_events_and_state_as_json) {
  const auto history = fold_history("w1", a_stream(), at(1'000'000));
  ASSERT_TRUE(history);
  const auto json = history_json(*history);
  EXPECT_EQ(json.at("workspace_id").as_string(), "w1");
  EXPECT_EQ(json.at("at_ms").as_int64(), created_us / 1000 + 1000);
  EXPECT_EQ(json.at("at").as_string(), "2026-11-23T13:00:01.000000Z");
  const auto& events = json.at("events").as_array();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(boost::json::serialize(events[0]),
            R"({"version":1,"type":"WorkspaceCreated","recorded_at":"2026-11-23T13:00:00.000000Z",)"
            R"("recorded_ms":1795438800000,"actor":"u1",)"
            R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","data":)" +
                a_stream()[0].data + R"(,"in_state":true})");
  EXPECT_EQ(events[1].at("actor").as_string(), "");
  EXPECT_TRUE(events[1].at("trace_id").is_null());
  EXPECT_EQ(events[4].at("actor").as_string(), "system");
  EXPECT_FALSE(events[4].at("in_state").as_bool());
  const auto& state = json.at("state").as_object();
  EXPECT_EQ(state.at("status").as_string(), "running");
  EXPECT_EQ(state.at("name").as_string(), "first name");
  EXPECT_EQ(state.at("version").as_int64(), 3);
  EXPECT_EQ(state.at("limits").at("pids").as_int64(), 512);
  EXPECT_TRUE(history_json(*fold_history("w1", a_stream(), std::nullopt)).at("at_ms").is_null());
}

}  // namespace
}  // namespace berth::audit
