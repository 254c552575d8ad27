#include <gtest/gtest.h>

#include "projections/catalogue.hpp"
#include "tests/projections/pg_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::projections {
namespace {

using namespace std::chrono_literals;
using testing::append;
using testing::new_event;

using projection_restart_pgtest = berth::testing::pg_test;

events::append_request workspace(const std::string& id) {
  return append("workspace-" + id,
                {new_event("WorkspaceCreated", R"({"owner_id":"u1","name":")" + id + R"("})")});
}

TEST_F(projection_restart_pgtest, runner_survives_a_postgresql_restart_without_skipping_events) {
  events::event_store store({url()});
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  runner.start();
  ASSERT_TRUE(store.append(workspace("before")));
  ASSERT_TRUE(runner.wait_until_caught_up(10s));

  ASSERT_TRUE(berth::testing::run_services("pg-stop"));
  ASSERT_TRUE(berth::testing::wait_until([&] {
    const auto error = runner.current_status().last_error;
    return error && error->code == events::error_code::dependency_unavailable;
  }));
  ASSERT_TRUE(berth::testing::run_services("pg-start"));

  // The store's connections come back on their own; the first append may still find one
  // that died with the server. The same event id each time: a retry never appends twice.
  const auto after = workspace("after");
  ASSERT_TRUE(berth::testing::wait_until([&] { return store.append(after).has_value(); }, 30s));
  ASSERT_TRUE(berth::testing::wait_until([&] { return runner.wait_until_caught_up(1s); }, 30s));
  const auto status = runner.current_status();
  EXPECT_TRUE(status.running);
  EXPECT_FALSE(status.last_error);
  EXPECT_EQ(status.events_applied, 2);
  EXPECT_EQ(testing::query_value<std::string>(
                url(),
                "SELECT string_agg(workspace_id, ',' ORDER BY workspace_id) "
                "FROM rm_workspaces"),
            "after,before");
}

}  // namespace
}  // namespace berth::projections
