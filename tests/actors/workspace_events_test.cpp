#include "actors/workspace_events.hpp"

#include <gtest/gtest.h>

#include "actors/workspace_aggregate.hpp"

namespace berth::actors {
namespace {

namespace ev = workspace_event;

/// Encoding then decoding must give an event that folds to the same state.
void expect_round_trip(const workspace_event_variant& event) {
  const auto encoded = encode(event);
  const auto decoded = decode_workspace_event(encoded.type, encoded.data);
  ASSERT_TRUE(decoded) << encoded.type << " " << encoded.data;
  EXPECT_EQ(decoded->index(), event.index());
  EXPECT_EQ(encode(*decoded).data, encoded.data);
}

TEST(workspace_events, round_trip_through_their_json_form) {
  expect_round_trip(ev::created{"w", "u", "n", "t", "img", {1, 2, 3}, 60, true, {"A", "B"}, 7});
  expect_round_trip(ev::renamed{"new"});
  expect_round_trip(ev::starred{});
  expect_round_trip(ev::unstarred{});
  expect_round_trip(ev::container_provisioned{"c", "v"});
  expect_round_trip(ev::started{"user", "started", 5});
  expect_round_trip(ev::stopped{"idle", 6});
  expect_round_trip(ev::failed{"user", "boom"});
  expect_round_trip(ev::container_lost{"c", "oom", 137});
  expect_round_trip(ev::activity{9});
  expect_round_trip(ev::delete_requested{"admin"});
  expect_round_trip(ev::deleted{"admin"});
}

TEST(workspace_events, use_the_type_names_of_the_catalogue) {
  EXPECT_EQ(encode(ev::created{}).type, "WorkspaceCreated");
  EXPECT_EQ(encode(ev::container_lost{}).type, "ContainerLost");
  EXPECT_EQ(encode(ev::delete_requested{}).type, "WorkspaceDeleteRequested");
}

TEST(workspace_events, reject_unknown_types_and_malformed_data) {
  EXPECT_FALSE(decode_workspace_event("WorkspaceTeleported", "{}"));
  EXPECT_FALSE(decode_workspace_event("WorkspaceRenamed", "{}"));
  EXPECT_FALSE(decode_workspace_event("WorkspaceRenamed", R"({"name":5})"));
  EXPECT_FALSE(decode_workspace_event("WorkspaceRenamed", "not json"));
  EXPECT_FALSE(decode_workspace_event("WorkspaceStarted", R"({"reason":"u","outcome":"s"})"));
  EXPECT_FALSE(decode_workspace_event("WorkspaceCreated", R"({"limits":[]})"));
}

}  // namespace
}  // namespace berth::actors
