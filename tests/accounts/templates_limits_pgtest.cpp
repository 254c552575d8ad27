#include <gtest/gtest.h>

#include "tests/accounts/accounts_fixture.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

class accounts_templates_pgtest : public testing::accounts_fixture {
 protected:
  static workspace_template python() {
    workspace_template spec;
    spec.name = "Python";
    spec.image = "berth/python:3.12";
    spec.env = {{"PIP_INDEX_URL", "https://pypi.example"}};
    return spec;
  }
};

TEST_F(accounts_templates_pgtest, creates_the_default_template_on_first_use_once) {
  auto listed = accounts().list_templates();
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, "default");
  EXPECT_EQ((*listed)[0].image, "berth-workspace:test");
  // Another node starting on the same database appends nothing new.
  account_service other(store(), service_options());
  ASSERT_TRUE(other.get_template("default"));
  ASSERT_TRUE(accounts().list_templates());
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE stream_id = 'template-default'"), "1");
}

TEST_F(accounts_templates_pgtest, moves_the_default_template_to_a_newly_configured_image) {
  ASSERT_EQ(accounts().get_template("default")->image, "berth-workspace:test");
  auto rebuilt = service_options();
  rebuilt.default_image = "berth-workspace:rebuilt";
  account_service restarted(store(), rebuilt);
  EXPECT_EQ(restarted.get_template("default")->image, "berth-workspace:rebuilt");
  EXPECT_EQ(query("SELECT event_type FROM es_events WHERE stream_id = 'template-default' ORDER BY "
                  "stream_version DESC LIMIT 1"),
            "TemplateUpdated");
  account_service again(store(), rebuilt);
  ASSERT_TRUE(again.get_template("default"));
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE stream_id = 'template-default'"), "2")
      << "an unchanged image records nothing";
}

TEST_F(accounts_templates_pgtest, creates_gets_updates_and_deletes_a_template) {
  auto created = accounts().create_template(python(), admin_context());
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(created->id.empty());
  auto fetched = accounts().get_template(created->id);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->image, "berth/python:3.12");
  EXPECT_EQ(fetched->env, python().env);
  auto changed = *fetched;
  changed.image = "berth/python:3.13";
  changed.sudo_allowed = true;
  auto updated = accounts().update_template(changed, admin_context());
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(accounts().get_template(created->id)->image, "berth/python:3.13");
  auto listed = accounts().list_templates();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "default");
  EXPECT_EQ((*listed)[1].id, created->id);
  ASSERT_TRUE(accounts().delete_template(created->id, admin_context()));
  EXPECT_EQ(accounts().get_template(created->id).error().kind, code::not_found);
  EXPECT_EQ(accounts().list_templates()->size(), 1u);
  EXPECT_EQ(query("SELECT string_agg(event_type, ',' ORDER BY stream_version) FROM es_events "
                  "WHERE stream_id = 'template-" +
                  created->id + "'"),
            "TemplateCreated,TemplateUpdated,TemplateDeleted");
}

TEST_F(accounts_templates_pgtest, refuses_bad_templates_and_missing_ones) {
  auto bad = python();
  bad.memory_bytes = 1024;
  EXPECT_EQ(accounts().create_template(bad, admin_context()).error().kind, code::invalid);
  auto taken = python();
  taken.id = "default";
  EXPECT_EQ(accounts().create_template(taken, admin_context()).error().kind, code::conflict);
  auto missing = python();
  missing.id = "missing";
  EXPECT_EQ(accounts().update_template(missing, admin_context()).error().kind, code::not_found);
  EXPECT_EQ(accounts().delete_template("missing", admin_context()).error().kind, code::not_found);
  EXPECT_EQ(accounts().delete_template("default", admin_context()).error().kind, code::conflict);
  EXPECT_EQ(accounts().get_template("../etc").error().kind, code::not_found);
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE stream_id <> 'template-default'"), "0");
}

class accounts_limits_pgtest : public testing::accounts_fixture {};

TEST_F(accounts_limits_pgtest, starts_with_the_default_quota_and_keeps_the_whole_table_per_event) {
  EXPECT_EQ(*accounts().limits(), (quota_table{.global = default_quota, .per_user = {}}));
  const auto alice = make_user("alice");
  quota_table table;
  table.global = {10, 2, 4LL << 30, 2'000'000'000, 1024, 0, 0};
  table.per_user[alice.id] = {20, 0, 0, 0, 0, 0, 0};
  ASSERT_TRUE(accounts().set_limits(table, admin_context()));
  EXPECT_EQ(*accounts().limits(), table);
  EXPECT_EQ(*accounts().effective_quota(alice.id),
            (quota{20, 2, 4LL << 30, 2'000'000'000, 1024, 0, 0}));
  EXPECT_EQ(*accounts().effective_quota("someone-else"), table.global);
  table.per_user.clear();
  ASSERT_TRUE(accounts().set_limits(table, admin_context()));
  EXPECT_EQ(*accounts().limits(), table);
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE stream_id = 'system-limits' AND "
                  "event_type = 'LimitsSet'"),
            "2");
}

TEST_F(accounts_limits_pgtest, refuses_negative_quotas_and_unknown_users) {
  quota_table negative;
  negative.global.max_running = -1;
  EXPECT_EQ(accounts().set_limits(negative, admin_context()).error().kind, code::invalid);
  quota_table unknown;
  unknown.per_user["nobody"] = {1, 1, 0, 0, 0, 0, 0};
  EXPECT_EQ(accounts().set_limits(unknown, admin_context()).error().kind, code::invalid);
  EXPECT_EQ(query("SELECT count(*) FROM es_events"), "0");
}

}  // namespace
}  // namespace berth::accounts
