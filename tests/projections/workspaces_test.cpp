#include "projections/workspaces.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/projections/event_factory.hpp"

namespace berth::projections {
namespace {

using ::testing::HasSubstr;
using testing::recorded;
using testing::single_change;

constexpr const char* created_data =
    R"({"workspace_id":"w1","owner_id":"u1","name":"demo","template_id":"tp1",)"
    R"("image":"berth/base:1","limits":{"memory_bytes":1024,"nano_cpus":1,"pids":64},)"
    R"("idle_timeout_s":600,"sudo_allowed":true,"env_names":["A"],"created_ms":3000})";

TEST(workspace_projection, inserts_a_creating_row_from_workspace_created) {
  const auto change = single_change(
      apply_workspace_event(recorded("workspace-w1", 1, "WorkspaceCreated", created_data, 17)));
  EXPECT_THAT(change.statement, HasSubstr("INSERT INTO rm_workspaces"));
  EXPECT_THAT(change.statement, HasSubstr("'creating'"));
  // A replayed creation meets the existing row and changes nothing.
  EXPECT_THAT(change.statement, HasSubstr("ON CONFLICT (workspace_id) DO NOTHING"));
  const std::vector<std::optional<std::string>> expected{
      "w1",
      "u1",
      "demo",
      "tp1",
      "berth/base:1",
      R"({"memory_bytes":1024,"nano_cpus":1,"pids":64})",
      "600",
      "true",
      R"(["A"])",
      "3000",
      "1",
      "17"};
  EXPECT_EQ(change.params, expected);
}

TEST(workspace_projection, takes_the_workspace_id_from_the_stream) {
  const auto change = single_change(apply_workspace_event(recorded(
      "workspace-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", 2, "WorkspaceRenamed", R"({"name":"x"})")));
  EXPECT_EQ(change.params.at(0), "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
}

TEST(workspace_projection, updates_only_a_row_older_than_the_event) {
  const auto change = single_change(apply_workspace_event(
      recorded("workspace-w1", 4, "WorkspaceRenamed", R"({"name":"zeta"})", 42)));
  EXPECT_THAT(change.statement, HasSubstr("UPDATE rm_workspaces SET name = $4"));
  EXPECT_THAT(change.statement, HasSubstr("WHERE workspace_id = $1 AND version < $2"));
  const std::vector<std::optional<std::string>> expected{"w1", "4", "42", "zeta"};
  EXPECT_EQ(change.params, expected);
}

TEST(workspace_projection, maps_each_lifecycle_event_to_its_state) {
  struct transition {
    const char* type;
    const char* data;
    const char* state;
    const char* reason;
  };
  const transition transitions[] = {
      {"WorkspaceStopped", R"({"reason":"idle","stopped_ms":1})", "stopped", "idle"},
      {"ContainerLost", R"({"container_id":"c","how":"oom","exit_code":137})", "stopped", "oom"},
      {"WorkspaceDeleteRequested", R"({"reason":"admin"})", "deleting", "admin"},
      {"WorkspaceDeleted", R"({"reason":"admin"})", "deleted", "admin"},
  };
  for (const auto& t : transitions) {
    const auto change =
        single_change(apply_workspace_event(recorded("workspace-w1", 3, t.type, t.data)));
    EXPECT_THAT(change.statement, HasSubstr("state = $4, state_reason = $5")) << t.type;
    ASSERT_EQ(change.params.size(), 5u) << t.type;
    EXPECT_EQ(change.params[3], t.state) << t.type;
    EXPECT_EQ(change.params[4], t.reason) << t.type;
  }
}

TEST(workspace_projection, a_start_clears_the_last_error_and_never_moves_activity_back) {
  const auto change = single_change(apply_workspace_event(
      recorded("workspace-w1", 3, "WorkspaceStarted",
               R"({"reason":"recovery","outcome":"recreated","started_ms":9000})")));
  EXPECT_THAT(change.statement, HasSubstr("state = 'running'"));
  EXPECT_THAT(change.statement, HasSubstr("last_error = NULL"));
  EXPECT_THAT(change.statement, HasSubstr("GREATEST(last_activity_ms, $5::bigint)"));
  EXPECT_EQ(change.params.at(3), "recovery");
  EXPECT_EQ(change.params.at(4), "9000");
}

TEST(workspace_projection, a_failure_keeps_its_error_text) {
  const auto change = single_change(apply_workspace_event(recorded(
      "workspace-w1", 2, "WorkspaceFailed", R"({"reason":"user","error":"no such image"})")));
  EXPECT_THAT(change.statement, HasSubstr("state = 'failed'"));
  EXPECT_EQ(change.params.at(4), "no such image");
}

TEST(workspace_projection, stars_unstars_records_activity_and_the_container) {
  EXPECT_THAT(single_change(apply_workspace_event(recorded("workspace-w1", 2, "WorkspaceStarred")))
                  .statement,
              HasSubstr("starred = true"));
  EXPECT_THAT(
      single_change(apply_workspace_event(recorded("workspace-w1", 3, "WorkspaceUnstarred")))
          .statement,
      HasSubstr("starred = false"));
  const auto activity = single_change(
      apply_workspace_event(recorded("workspace-w1", 4, "WorkspaceActivity", R"({"at_ms":7000})")));
  EXPECT_THAT(activity.statement, HasSubstr("GREATEST(last_activity_ms, $4::bigint)"));
  EXPECT_EQ(activity.params.at(3), "7000");
  const auto provisioned = single_change(apply_workspace_event(recorded(
      "workspace-w1", 5, "ContainerProvisioned", R"({"container_id":"c9","volume":"v9"})")));
  EXPECT_EQ(provisioned.params.at(3), "c9");
  EXPECT_EQ(provisioned.params.at(4), "v9");
}

TEST(workspace_projection, reads_missing_fields_as_defaults_instead_of_failing) {
  const auto change =
      single_change(apply_workspace_event(recorded("workspace-w1", 1, "WorkspaceCreated", "[]")));
  EXPECT_EQ(change.params.at(1), "");       // owner_id
  EXPECT_EQ(change.params.at(5), "{}");     // limits
  EXPECT_EQ(change.params.at(6), "0");      // idle_timeout_s
  EXPECT_EQ(change.params.at(7), "false");  // sudo_allowed
  EXPECT_EQ(change.params.at(8), "[]");     // env_names
}

TEST(workspace_projection, skips_unknown_workspace_event_types) {
  EXPECT_FALSE(apply_workspace_event(recorded("workspace-w1", 2, "WorkspaceTeleported")));
}

TEST(workspace_projection, has_nothing_to_do_with_other_streams) {
  const auto result = apply_workspace_event(recorded("user-u1", 1, "UserCreated"));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->empty());
}

TEST(workspace_projection, gives_a_replayed_event_the_same_changes) {
  const auto event = recorded("workspace-w1", 5, "WorkspaceRenamed", R"({"name":"again"})");
  EXPECT_EQ(apply_workspace_event(event), apply_workspace_event(event));
}

}  // namespace
}  // namespace berth::projections
