#include "accounts/quota_rules.hpp"

#include <gtest/gtest.h>

namespace berth::accounts {
namespace {

TEST(quota_rules, falls_back_to_global_fields_that_the_user_leaves_at_zero) {
  quota_table table;
  table.global = {10, 2, 4LL << 30, 2'000'000'000, 1024, 0, 0};
  table.per_user["u1"] = {20, 0, 0, 4'000'000'000, 0, 0, 0};
  EXPECT_EQ(effective_quota_of(table, "u1"), (quota{20, 2, 4LL << 30, 4'000'000'000, 1024, 0, 0}));
  EXPECT_EQ(effective_quota_of(table, "u2"), table.global);
}

TEST(quota_rules, zero_everywhere_is_unlimited) {
  EXPECT_EQ(effective_quota_of({}, "u1"), quota{});
}

TEST(quota_rules, refuses_negative_and_too_small_caps) {
  quota_table table;
  EXPECT_TRUE(check_quota_table(table));
  table.global.max_running = -1;
  EXPECT_FALSE(check_quota_table(table));
  table.global = {};
  table.per_user["u1"].memory_bytes = 1024;
  EXPECT_FALSE(check_quota_table(table));
  table.per_user["u1"] = {};
  table.per_user["u1"].pids = 8;
  EXPECT_FALSE(check_quota_table(table));
  table.per_user["u1"] = {};
  table.per_user[""] = {};
  EXPECT_FALSE(check_quota_table(table));
}

TEST(quota_rules, round_trips_the_table_through_limits_set_data) {
  quota_table table;
  table.global = {10, 2, 1LL << 30, 1'000'000'000, 512, 0, 0};
  table.per_user["u1"] = {1, 1, 0, 0, 64, 0, 0};
  table.per_user["u1"].max_secrets = 7;
  EXPECT_EQ(limits_data_of(table),
            R"({"global":{"max_workspaces":10,"max_running":2,"memory_bytes":1073741824,)"
            R"("nano_cpus":1000000000,"pids":512,"max_tokens":0,"max_secrets":0},)"
            R"("per_user":{"u1":{"max_workspaces":1,"max_running":1,"memory_bytes":0,)"
            R"("nano_cpus":0,"pids":64,"max_tokens":0,"max_secrets":7}}})");
  EXPECT_EQ(parse_limits_data(limits_data_of(table)), table);
  EXPECT_FALSE(parse_limits_data("{}"));
}

TEST(quota_rules, a_table_stored_before_token_and_secret_quotas_gets_their_defaults) {
  const auto table = parse_limits_data(
      R"({"global":{"max_workspaces":0,"max_running":3,"memory_bytes":0,"nano_cpus":0,)"
      R"("pids":0},"per_user":{"u1":{"max_workspaces":1,"max_running":0,"memory_bytes":0,)"
      R"("nano_cpus":0,"pids":0}}})");
  ASSERT_TRUE(table);
  // What the admin set stays (0 workspaces: unlimited); the new fields take the defaults, and
  // a user's absent fields fall back to the global ones.
  EXPECT_EQ(table->global.max_workspaces, 0);
  EXPECT_EQ(table->global.max_running, 3);
  EXPECT_EQ(table->global.max_tokens, default_quota.max_tokens);
  EXPECT_EQ(table->global.max_secrets, default_quota.max_secrets);
  EXPECT_EQ(table->per_user.at("u1").max_tokens, 0);
  EXPECT_EQ(effective_quota_of(*table, "u1").max_secrets, default_quota.max_secrets);
}

TEST(quota_rules, the_defaults_are_not_unlimited) {
  for (const auto field : {default_quota.max_workspaces, default_quota.max_running,
                           default_quota.max_tokens, default_quota.max_secrets})
    EXPECT_GT(field, 0);
}

}  // namespace
}  // namespace berth::accounts
