#include <map>

#include <gtest/gtest.h>

#include "projections/catalogue.hpp"
#include "projections/rebuild.hpp"
#include "tests/projections/pg_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::projections {
namespace {

using namespace std::chrono_literals;
using testing::append;
using testing::new_event;
using testing::table_rows;

using rebuild_pgtest = berth::testing::pg_test;
using tables = std::map<std::string, std::vector<std::string>>;

tables contents(const std::string& url, const projection& read_model) {
  tables rows;
  for (const auto& table : read_model.tables)
    rows[table] = table_rows(url, table, testing::key_of(table));
  return rows;
}

events::feed_checkpoint stored_checkpoint(const std::string& url, const std::string& name) {
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  const auto row = tx.exec_params1(
      "SELECT last_tx::text, last_pos FROM es_checkpoints WHERE projection = $1", name);
  return {row[0].as<std::uint64_t>(), row[1].as<std::int64_t>()};
}

TEST_F(rebuild_pgtest, produces_tables_equal_to_the_live_ones) {
  events::event_store store({url()});
  testing::append_sample_history(store);
  for (const auto& read_model : all_projections()) {
    projection_runner runner(store, read_model, testing::runner_options(url()));
    runner.start();
    ASSERT_TRUE(runner.wait_until_caught_up(10s)) << read_model.name;
    runner.stop();
    const auto live = contents(url(), read_model);
    const auto live_checkpoint = stored_checkpoint(url(), read_model.name);
    for (const auto& [table, rows] : live)
      EXPECT_FALSE(rows.empty()) << table;

    auto rebuilt = rebuild(url(), read_model.name);
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
    EXPECT_EQ(rebuilt->checkpoint, live_checkpoint) << read_model.name;
    EXPECT_EQ(stored_checkpoint(url(), read_model.name), live_checkpoint) << read_model.name;
    EXPECT_EQ(contents(url(), read_model), live) << read_model.name;
  }
}

TEST_F(rebuild_pgtest, replaces_rows_that_the_events_do_not_justify) {
  events::event_store store({url()});
  ASSERT_TRUE(store.append(append(
      "template-t", {new_event("TemplateCreated", R"({"name":"real","image":"i","limits":{},)"
                                                  R"("env":{},"idle_timeout_s":1})")})));
  {
    pqxx::connection connection(url());
    pqxx::work tx(connection);
    tx.exec0(
        "INSERT INTO rm_templates (template_id, name, image, limits, env, idle_timeout_s, "
        "sudo_allowed, version) VALUES ('stray', 'x', 'x', '{}', '{}', 0, false, 1)");
    tx.commit();
  }
  // The feed's horizon is cluster-wide: wait until no older transaction holds the event back.
  ASSERT_TRUE(berth::testing::wait_until([&] {
    auto page = store.read_feed({});
    return page && page->events.size() == 1;
  }));
  auto rebuilt = rebuild(url(), "templates");
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(rebuilt->events_replayed, 1);
  EXPECT_EQ(testing::query_value<std::string>(url(),
                                              "SELECT string_agg(template_id, ',') "
                                              "FROM rm_templates"),
            "t");
}

TEST_F(rebuild_pgtest, a_live_runner_carries_on_from_the_rebuilt_checkpoint) {
  events::event_store store({url()});
  testing::append_sample_history(store);
  projection_runner runner(store, *find_projection("workspaces"), testing::runner_options(url()));
  runner.start();
  ASSERT_TRUE(runner.wait_until_caught_up(10s));
  ASSERT_TRUE(rebuild(url(), "workspaces"));
  ASSERT_TRUE(store.append(append(
      "workspace-new", {new_event("WorkspaceCreated", R"({"owner_id":"u9","name":"new"})")})));
  ASSERT_TRUE(runner.wait_until_caught_up(10s));
  runner.stop();
  const auto live = contents(url(), *find_projection("workspaces"));
  EXPECT_EQ(live.at("rm_workspaces").size(), 4u);
  ASSERT_TRUE(rebuild(url(), "workspaces"));
  EXPECT_EQ(contents(url(), *find_projection("workspaces")), live);
}

TEST_F(rebuild_pgtest, refuses_an_unknown_projection) {
  auto rebuilt = rebuild(url(), "nonsense");
  ASSERT_FALSE(rebuilt);
  EXPECT_EQ(rebuilt.error().code, events::error_code::invalid_argument);
}

}  // namespace
}  // namespace berth::projections
