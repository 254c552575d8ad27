#include <algorithm>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "projections/catalogue.hpp"
#include "tests/projections/pg_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::projections {
namespace {

using namespace std::chrono_literals;
using testing::query_value;
using testing::table_rows;

class read_models_pgtest : public berth::testing::pg_test {
 protected:
  /// Runs every projection over the sample history until each has caught up.
  void project_sample_history() {
    for (const auto& read_model : all_projections()) {
      runners_.push_back(
          std::make_unique<projection_runner>(store(), read_model, testing::runner_options(url())));
      runners_.back()->start();
    }
    testing::append_sample_history(store());
    for (auto& runner : runners_)
      ASSERT_TRUE(runner->wait_until_caught_up(10s));
  }
  events::event_store& store() {
    if (!store_)
      store_ = std::make_unique<events::event_store>(events::event_store::options{url()});
    return *store_;
  }
  std::string row(const std::string& sql) { return query_value<std::string>(url(), sql); }

  void TearDown() override {
    runners_.clear();
    store_.reset();
    pg_test::TearDown();
  }

 private:
  std::unique_ptr<events::event_store> store_;
  std::vector<std::unique_ptr<projection_runner>> runners_;
};

TEST_F(read_models_pgtest, lists_an_owners_workspaces_starred_first_then_by_name) {
  project_sample_history();
  EXPECT_EQ(row("SELECT string_agg(workspace_id || ':' || name, ',' ORDER BY starred DESC, name) "
                "FROM rm_workspaces WHERE owner_id = 'u1'"),
            "w1:zeta,w2:alpha,w3:beta");
}

TEST_F(read_models_pgtest, follows_each_workspace_through_its_lifecycle) {
  project_sample_history();
  EXPECT_EQ(row("SELECT concat_ws('|', state, state_reason, starred, container_id, volume, "
                "last_activity_ms, version, image, limits->>'pids', env_names) "
                "FROM rm_workspaces WHERE workspace_id = 'w1'"),
            R"(running|user|t|c1|berth-w1|3700|8|berth/base:2|512|["ANTHROPIC_API_KEY"])");
  // The unknown event (version 9) is skipped: the row stays at the last event it knows.
  EXPECT_EQ(row("SELECT (updated_at_pos = (SELECT global_pos FROM es_events WHERE stream_id = "
                "'workspace-w1' AND stream_version = 8))::text FROM rm_workspaces "
                "WHERE workspace_id = 'w1'"),
            "true");
  EXPECT_EQ(row("SELECT concat_ws('|', state, state_reason, last_error) FROM rm_workspaces "
                "WHERE workspace_id = 'w2'"),
            "deleted|user|image missing");
  EXPECT_EQ(row("SELECT concat_ws('|', state, state_reason, starred) FROM rm_workspaces "
                "WHERE workspace_id = 'w3'"),
            "stopped|oom|f");
}

TEST_F(read_models_pgtest, keeps_users_their_tokens_and_secret_names) {
  project_sample_history();
  EXPECT_EQ(row("SELECT string_agg(concat_ws(':', user_id, username, role, disabled, created_ms), "
                "',' ORDER BY user_id) FROM rm_users"),
            "u1:alice:admin:f:1000,u2:bob:auditor:t:2000");
  EXPECT_EQ(row("SELECT string_agg(concat_ws(':', token_id, user_id, name, "
                "coalesce(expires_ms::text, 'never'), revoked), ',' ORDER BY token_id) "
                "FROM rm_api_tokens"),
            "t1:u1:cli:never:t,t2:u1:ci:90000:f");
  EXPECT_EQ(row("SELECT string_agg(user_id || ':' || name, ',') FROM rm_user_secrets"),
            "u1:ANTHROPIC_API_KEY");
}

TEST_F(read_models_pgtest, keeps_templates_at_their_latest_version) {
  project_sample_history();
  EXPECT_EQ(row("SELECT concat_ws('|', name, image, limits->>'memory_bytes', env->>'EDITOR', "
                "idle_timeout_s, sudo_allowed, deleted, version) FROM rm_templates "
                "WHERE template_id = 'tp1'"),
            "base|berth/base:2|2048|nano|1800|t|f|2");
  EXPECT_EQ(row("SELECT deleted::text FROM rm_templates WHERE template_id = 'tp2'"), "true");
}

TEST_F(read_models_pgtest, keeps_sessions_with_their_size_state_and_output_bytes) {
  project_sample_history();
  EXPECT_EQ(row("SELECT concat_ws('|', workspace_id, user_id, name, state, cols, rows, opened_ms, "
                "close_reason, exit_status, output_bytes, closed_ms IS NOT NULL) "
                "FROM rm_sessions WHERE session_id = 's1'"),
            "w1|u1|build ☃|closed|120|40|5000|exited|0|11|t");
  EXPECT_EQ(row("SELECT concat_ws('|', name = '', state, output_bytes, closed_ms IS NULL) "
                "FROM rm_sessions WHERE session_id = 's2'"),
            "t|open|2|t");
}

TEST_F(read_models_pgtest, audits_every_event_but_terminal_data_with_its_exact_time) {
  project_sample_history();
  EXPECT_EQ(
      query_value<std::int64_t>(url(),
                                "SELECT count(*) FROM es_events e LEFT JOIN rm_audit_log a USING "
                                "(global_pos) WHERE (a.global_pos IS NULL) <> (e.event_type IN "
                                "('OutputRecorded', 'InputRecorded'))"),
      0);
  EXPECT_EQ(query_value<std::int64_t>(
                url(),
                "SELECT count(*) FROM rm_audit_log a JOIN es_events e USING (global_pos) "
                "WHERE a.recorded_at <> e.recorded_at OR a.event_id <> e.event_id OR "
                "a.details <> e.data OR a.action <> e.event_type OR "
                "a.stream_version <> e.stream_version"),
            0);
  EXPECT_EQ(row("SELECT concat_ws('|', actor, resource_type, resource_id) FROM rm_audit_log "
                "WHERE action = 'LimitsSet'"),
            "u-1|system|limits");
}

TEST_F(read_models_pgtest, replaying_the_feed_in_any_order_changes_no_table) {
  project_sample_history();
  std::map<std::string, std::vector<std::string>> before;
  for (const auto& read_model : all_projections()) {
    for (const auto& table : read_model.tables)
      before[table] = table_rows(url(), table, testing::key_of(table));
  }
  auto feed = store().read_feed({}, 10'000);
  ASSERT_TRUE(feed) << feed.error().message;
  auto reversed = feed->events;
  std::reverse(reversed.begin(), reversed.end());
  pqxx::connection connection(url());
  pqxx::work tx(connection);
  for (const auto& read_model : all_projections()) {
    apply_events(tx, read_model, feed->events);
    apply_events(tx, read_model, reversed);
  }
  tx.commit();
  for (const auto& [table, rows] : before)
    EXPECT_EQ(table_rows(url(), table, testing::key_of(table)), rows) << table;
}

}  // namespace
}  // namespace berth::projections
