#include <mutex>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "events/uuid.hpp"
#include "projections/catalogue.hpp"
#include "tests/projections/pg_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::projections {
namespace {

using namespace std::chrono_literals;
using testing::append;
using testing::new_event;
using testing::query_value;

using runner_pgtest = berth::testing::pg_test;

events::new_event workspace_created(const std::string& id) {
  return new_event("WorkspaceCreated",
                   R"({"owner_id":"u1","name":")" + id + R"(","created_ms":1})");
}

/// Inserts a WorkspaceCreated for a new stream inside `tx`, as an append would (NOTIFY
/// included); returns its global position.
std::int64_t insert_workspace_created(pqxx::work& tx, const std::string& id) {
  const auto stream = "workspace-" + id;
  tx.exec_params(
      "INSERT INTO es_streams (stream_id, stream_type, version, last_hash) "
      "VALUES ($1, 'workspace', 1, '\\x00')",
      stream);
  const auto position =
      tx.exec_params1(
            "INSERT INTO es_events (stream_id, stream_version, event_id, event_type, data, "
            "metadata, hash) VALUES ($1, 1, $2, 'WorkspaceCreated', $3, '{}', '\\x00') "
            "RETURNING global_pos",
            stream, events::make_uuid_v7(),
            R"({"owner_id":"u1","name":")" + id + R"(","created_ms":1})")[0]
          .as<std::int64_t>();
  tx.exec("SELECT pg_notify('es_appended', '')");
  return position;
}

TEST_F(runner_pgtest, applies_both_events_when_transactions_commit_out_of_position_order) {
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  runner.start();
  pqxx::connection first_writer(url());
  pqxx::connection second_writer(url());
  pqxx::work first(first_writer);
  pqxx::work second(second_writer);
  const auto first_position = insert_workspace_created(first, "early");
  const auto second_position = insert_workspace_created(second, "late");
  ASSERT_LT(first_position, second_position);
  second.commit();

  // The later position is committed, but the feed holds it back behind the open
  // transaction: a projection that applied it now would skip `early` for ever.
  ASSERT_TRUE(berth::testing::wait_until([&] {
    auto lag = runner.lag();
    return lag && lag->events_behind == 1;
  }));
  EXPECT_EQ(query_value<std::int64_t>(url(), "SELECT count(*) FROM rm_workspaces"), 0);

  first.commit();
  ASSERT_TRUE(runner.wait_for_position(first_position, 10s));
  ASSERT_TRUE(runner.wait_for_position(second_position, 10s));
  EXPECT_EQ(query_value<std::string>(url(),
                                     "SELECT string_agg(workspace_id, ',' ORDER BY updated_at_pos) "
                                     "FROM rm_workspaces"),
            "early,late");
  EXPECT_EQ(runner.current_status().events_applied, 2);
}

TEST_F(runner_pgtest,
       a_second_runner_on_the_same_projection_is_detected_and_nothing_is_applied_twice) {
  {
    pqxx::connection setup(url());
    pqxx::work tx(setup);
    // No key on purpose: an event applied twice would show as a duplicate row.
    tx.exec0("CREATE TABLE test_applied (global_pos bigint NOT NULL)");
    tx.commit();
  }
  const projection counted{
      "counted", {"test_applied"}, [](const events::recorded_event& event) {
        return changes(std::vector<row_change>{{"INSERT INTO test_applied (global_pos) VALUES ($1)",
                                                {std::to_string(event.global_position)}}});
      }};
  events::event_store store({url()});
  const auto append_workspaces = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const auto id = "w" + std::to_string(i);
      ASSERT_TRUE(store.append(append("workspace-" + id, {workspace_created(id)})));
    }
  };
  append_workspaces(0, 10);
  projection_runner first(store, counted, testing::runner_options(url()));
  projection_runner second(store, counted, testing::runner_options(url()));
  first.start();
  second.start();
  ASSERT_TRUE(first.wait_until_caught_up(10s));
  ASSERT_TRUE(second.wait_until_caught_up(10s));

  // Both runners now hold the same checkpoint. Holding the read model's table keeps both
  // inside their transaction for the next page: one waits for the table, the other for the
  // first one's checkpoint row, which it will find moved.
  pqxx::connection blocker_connection(url());
  pqxx::work blocker(blocker_connection);
  blocker.exec0("LOCK TABLE test_applied IN EXCLUSIVE MODE");
  append_workspaces(10, 20);
  ASSERT_TRUE(berth::testing::wait_until([&] {
    return query_value<std::int64_t>(url(),
                                     "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                     "current_database() AND wait_event_type = 'Lock'") == 2;
  }));
  blocker.commit();

  ASSERT_TRUE(first.wait_until_caught_up(10s));
  ASSERT_TRUE(second.wait_until_caught_up(10s));
  EXPECT_GE(
      first.current_status().checkpoint_conflicts + second.current_status().checkpoint_conflicts,
      1);
  EXPECT_EQ(first.current_status().events_applied + second.current_status().events_applied, 20);
  EXPECT_EQ(query_value<std::int64_t>(url(), "SELECT count(*) FROM test_applied"), 20);
  EXPECT_EQ(query_value<std::int64_t>(url(), "SELECT count(DISTINCT global_pos) FROM test_applied"),
            20);
}

TEST_F(runner_pgtest, lag_grows_while_the_runner_is_stopped_and_returns_to_zero_after) {
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  auto lag = runner.lag();
  ASSERT_TRUE(lag) << lag.error().message;
  EXPECT_EQ(lag->events_behind, 0);
  EXPECT_EQ(lag->seconds_behind, 0);

  ASSERT_TRUE(store.append(append(
      "workspace-a", {workspace_created("a"), workspace_created("b"), workspace_created("c")})));
  const auto three_behind = runner.lag();
  ASSERT_TRUE(three_behind);
  EXPECT_EQ(three_behind->events_behind, 3);
  EXPECT_GT(three_behind->seconds_behind, 0);

  ASSERT_TRUE(
      store.append(append("workspace-d", {workspace_created("d"), workspace_created("e")})));
  const auto five_behind = runner.lag();
  ASSERT_TRUE(five_behind);
  EXPECT_EQ(five_behind->events_behind, 5);
  EXPECT_GE(five_behind->seconds_behind, three_behind->seconds_behind);  // same oldest event

  runner.start();
  ASSERT_TRUE(runner.wait_until_caught_up(10s));
  const auto caught_up = runner.lag();
  ASSERT_TRUE(caught_up);
  EXPECT_EQ(caught_up->events_behind, 0);
  EXPECT_EQ(caught_up->seconds_behind, 0);
}

TEST_F(runner_pgtest, lets_a_writer_read_its_own_write) {
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  runner.start();
  for (int i = 0; i < 5; ++i) {
    const auto id = "w" + std::to_string(i);
    auto appended = store.append(append("workspace-" + id, {workspace_created(id)}));
    ASSERT_TRUE(appended) << appended.error().message;
    ASSERT_TRUE(runner.wait_for_position(appended->global_positions[0], 10s));
    EXPECT_EQ(query_value<std::int64_t>(
                  url(), "SELECT count(*) FROM rm_workspaces WHERE workspace_id = '" + id + "'"),
              1);
  }
}

TEST_F(runner_pgtest, a_wait_for_a_position_it_does_not_reach_ends_at_the_timeout) {
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  auto appended = store.append(append("workspace-w", {workspace_created("w")}));
  ASSERT_TRUE(appended);
  EXPECT_FALSE(runner.wait_for_position(appended->global_positions[0], 50ms));
  EXPECT_FALSE(runner.wait_until_caught_up(50ms));
}

TEST_F(runner_pgtest, resumes_from_its_stored_checkpoint_after_a_stop) {
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  runner.start();
  ASSERT_TRUE(store.append(append("workspace-a", {workspace_created("a")})));
  ASSERT_TRUE(runner.wait_until_caught_up(10s));
  runner.stop();
  EXPECT_FALSE(runner.current_status().running);

  ASSERT_TRUE(store.append(append("workspace-b", {workspace_created("b")})));
  projection_runner successor(store, *find_projection("workspaces"),
                              testing::runner_options(url()));
  successor.start();
  ASSERT_TRUE(successor.wait_until_caught_up(10s));
  EXPECT_EQ(successor.current_status().events_applied, 1);
  EXPECT_EQ(query_value<std::int64_t>(url(), "SELECT count(*) FROM rm_workspaces"), 2);
}

TEST_F(runner_pgtest, logs_an_unknown_event_type_once) {
  std::mutex mutex;
  std::vector<std::string> debug_lines;
  auto options = testing::runner_options(url());
  options.page_size = 1;  // the two unknown events come in different pages
  options.log = [&](log_level level, std::string_view, std::string_view detail) {
    std::lock_guard lock(mutex);
    if (level == log_level::debug) debug_lines.emplace_back(detail);
  };
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), options);
  runner.start();
  ASSERT_TRUE(store.append(
      append("workspace-w", {workspace_created("w"), new_event("WorkspaceSnapshotted", "{}"),
                             new_event("WorkspaceSnapshotted", "{}"),
                             new_event("WorkspaceRenamed", R"({"name":"after"})")})));
  ASSERT_TRUE(runner.wait_until_caught_up(10s));
  EXPECT_EQ(query_value<std::string>(url(), "SELECT name FROM rm_workspaces"), "after");
  std::lock_guard lock(mutex);
  EXPECT_EQ(debug_lines, std::vector<std::string>{"WorkspaceSnapshotted"});
}

TEST_F(runner_pgtest, stop_returns_promptly_while_the_runner_waits_for_events) {
  events::event_store store({url()});
  auto options = testing::runner_options(url());
  options.poll_interval = 60s;
  projection_runner runner(store, *find_projection("workspaces"), options);
  runner.start();
  ASSERT_TRUE(store.append(append("workspace-w", {workspace_created("w")})));
  ASSERT_TRUE(runner.wait_until_caught_up(10s));
  // Caught up, the runner now waits up to a minute for the next notification.
  const auto started = std::chrono::steady_clock::now();
  runner.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace berth::projections
