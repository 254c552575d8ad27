// `audit history` over a real event store: the state at a time between two appends is the
// state after the earlier one, whatever came later; recorded times come from PostgreSQL.

#include "audit/workspace_history.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "events/event_store.hpp"
#include "events/uuid.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::audit {
namespace {

namespace ev = actors::workspace_event;
using workspace_history_pgtest = testing::pg_test;

/// Appends `batch` to `workspace-<id>` after version `expected`; the recorded events.
std::vector<events::recorded_event> append(
    events::event_store& store, const std::string& id, std::int64_t expected,
    const std::vector<actors::workspace_event_variant>& batch) {
  events::append_request request{"workspace-" + id, "", expected, {}};
  for (const auto& event : batch) {
    const auto encoded = actors::encode(event);
    request.events.push_back({events::make_uuid_v7(), encoded.type, 1, encoded.data, std::nullopt,
                              R"({"actor":"u1","trace_id":"0af7651916cd43dd8448eb211c80319c"})"});
  }
  const auto appended = store.append(request);
  EXPECT_TRUE(appended) << appended.error().message;
  auto read = store.read_stream("workspace-" + id, expected + 1);
  EXPECT_TRUE(read);
  return read ? *read : std::vector<events::recorded_event>{};
}

time_point time_of(const events::recorded_event& event) {
  return std::chrono::floor<std::chrono::microseconds>(event.recorded_at);
}

TEST_F(workspace_history_pgtest, shows_the_state_between_two_appends_as_after_the_first) {
  events::event_store store({url()});
  const auto id = events::make_uuid_v7();
  const ev::created created{id, "u1", "before", "t1", "berth-workspace:abc",
                            {}, 1800, false,    {},   1000};
  const auto first = append(
      store, id, 0,
      {created, ev::container_provisioned{"c1", "v1"}, ev::started{"user", "started", 2000}});
  ASSERT_EQ(first.size(), 3u);
  const auto second =
      append(store, id, 3, {ev::renamed{"after"}, ev::stopped{"user", 3000}, ev::starred{}});
  ASSERT_EQ(second.size(), 3u);
  // clock_timestamp() per row: the later append was recorded strictly later.
  ASSERT_LT(time_of(first.back()), time_of(second.front()));

  const auto between = read_workspace_history(store, id, time_of(first.back()));
  ASSERT_TRUE(between) << between.error().message;
  ASSERT_TRUE(between->has_value());
  const auto& history = **between;
  EXPECT_EQ(history.events.size(), 6u);
  EXPECT_EQ(history.state.status, actors::workspace_status::running);
  EXPECT_EQ(history.state.name, "before");
  EXPECT_FALSE(history.state.starred);
  EXPECT_EQ(history.state.version, 3);
  EXPECT_EQ(history.events[0].trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(history.events[0].actor, "u1");
  EXPECT_EQ(history.events[5].recorded_at, time_of(second.back()));

  // The same state as folding the first append alone.
  const auto earlier_only = fold_history(id, first, std::nullopt);
  ASSERT_TRUE(earlier_only);
  EXPECT_EQ(boost::json::serialize(history_json(history).at("state")),
            boost::json::serialize(history_json(*earlier_only).at("state")));

  const auto now = read_workspace_history(store, id, std::nullopt);
  ASSERT_TRUE(now && now->has_value());
  EXPECT_EQ((*now)->state.status, actors::workspace_status::stopped);
  EXPECT_EQ((*now)->state.name, "after");
  EXPECT_TRUE((*now)->state.starred);
  EXPECT_EQ((*now)->state.version, 6);

  const auto before_creation =
      read_workspace_history(store, id, time_of(first.front()) - std::chrono::microseconds(1));
  ASSERT_TRUE(before_creation && before_creation->has_value());
  EXPECT_EQ((*before_creation)->state.status, actors::workspace_status::none);
}

TEST_F(workspace_history_pgtest, finds_nothing_for_a_workspace_that_never_existed) {
  events::event_store store({url()});
  const auto history = read_workspace_history(store, events::make_uuid_v7(), std::nullopt);
  ASSERT_TRUE(history) << history.error().message;
  EXPECT_FALSE(history->has_value());
}

}  // namespace
}  // namespace berth::audit
