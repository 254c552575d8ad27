#include <gtest/gtest.h>

#include "actors/workspace_snapshot.hpp"

namespace berth::actors {
namespace {

TEST(workspace_snapshot, round_trips_every_field) {
  workspace_state state;
  state.status = workspace_status::running;
  state.id = "w1";
  state.owner_id = "u1";
  state.name = "alpha";
  state.template_id = "default";
  state.image = "berth-workspace:abc";
  state.limits = {1 << 30, 500'000'000, 64};
  state.idle_timeout_s = 600;
  state.sudo_allowed = true;
  state.env_names = {"ANTHROPIC_API_KEY", "TOKEN"};
  state.starred = true;
  state.container_id = "c0ffee";
  state.volume = "berth-ws-w1";
  state.last_reason = "user";
  state.last_error = "none";
  state.created_ms = 1;
  state.last_activity_ms = 2;
  state.version = 7;
  const auto decoded = decode_snapshot(encode_snapshot(state));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(encode_snapshot(*decoded), encode_snapshot(state));
  EXPECT_EQ(decoded->status, workspace_status::running);
  EXPECT_EQ(decoded->env_names, state.env_names);
  EXPECT_EQ(decoded->limits, state.limits);
}

TEST(workspace_snapshot, refuses_malformed_snapshots_instead_of_guessing) {
  EXPECT_FALSE(decode_snapshot(""));
  EXPECT_FALSE(decode_snapshot("[]"));
  EXPECT_FALSE(decode_snapshot(R"({"status":2})"));
  EXPECT_FALSE(decode_snapshot(R"({"status":99})"));
  auto valid = encode_snapshot(workspace_state{});
  valid.replace(valid.find("\"name\":\"\""), 9, "\"name\":42");
  EXPECT_FALSE(decode_snapshot(valid));
}

}  // namespace
}  // namespace berth::actors
