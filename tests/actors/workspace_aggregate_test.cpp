#include "actors/workspace_aggregate.hpp"

#include <gtest/gtest.h>

namespace berth::actors {
namespace {

namespace cmd = workspace_command;
namespace ev = workspace_event;

cmd::create a_create() {
  return {"w1", "u1", "my project", "t1",        "berth-workspace:abc",
          {},   1800, false,        {"API_KEY"}, 1000};
}

/// Decides `command` and folds its events into `state`; fails the test on refusal.
workspace_state apply(workspace_state state, const workspace_command_variant& command) {
  auto events = decide(state, command);
  EXPECT_TRUE(events) << events.error().message;
  if (events) {
    for (const auto& event : *events)
      state = evolve(state, event);
  }
  return state;
}

workspace_state running_workspace() {
  auto state = apply({}, a_create());
  return apply(state, cmd::record_started{"user", "started", "c1", "berth-ws-w1", 2000});
}

domain_error::kind refusal(const workspace_state& state, const workspace_command_variant& c) {
  auto events = decide(state, c);
  EXPECT_FALSE(events);
  return events ? domain_error::kind::invalid : events.error().code;
}

TEST(workspace_decide, creates_a_workspace_in_the_creating_state) {
  const auto state = apply({}, a_create());
  EXPECT_EQ(state.status, workspace_status::creating);
  EXPECT_EQ(state.owner_id, "u1");
  EXPECT_EQ(state.name, "my project");
  EXPECT_EQ(state.env_names, std::vector<std::string>{"API_KEY"});
}

TEST(workspace_decide, refuses_to_create_twice_or_with_bad_input) {
  const auto state = apply({}, a_create());
  EXPECT_EQ(refusal(state, a_create()), domain_error::kind::conflict);
  auto bad_name = a_create();
  bad_name.name = " leading space";
  EXPECT_EQ(refusal({}, bad_name), domain_error::kind::invalid);
  auto no_image = a_create();
  no_image.image.clear();
  EXPECT_EQ(refusal({}, no_image), domain_error::kind::invalid);
  auto zero_memory = a_create();
  zero_memory.limits.memory_bytes = 0;
  EXPECT_EQ(refusal({}, zero_memory), domain_error::kind::invalid);
  auto no_owner = a_create();
  no_owner.owner_id.clear();
  EXPECT_EQ(refusal({}, no_owner), domain_error::kind::invalid);
}

TEST(workspace_decide, renames_and_ignores_a_rename_to_the_same_name) {
  auto state = apply(apply({}, a_create()), cmd::rename{"other"});
  EXPECT_EQ(state.name, "other");
  EXPECT_TRUE(decide(state, cmd::rename{"other"})->empty());
  EXPECT_EQ(refusal(state, cmd::rename{std::string(65, 'a')}), domain_error::kind::invalid);
  EXPECT_EQ(refusal(state, cmd::rename{"semi;colon"}), domain_error::kind::invalid);
}

TEST(workspace_decide, stars_and_unstars_only_on_change) {
  auto state = apply(apply({}, a_create()), cmd::set_star{true});
  EXPECT_TRUE(state.starred);
  EXPECT_TRUE(decide(state, cmd::set_star{true})->empty());
  state = apply(state, cmd::set_star{false});
  EXPECT_FALSE(state.starred);
}

TEST(workspace_decide, records_a_start_with_its_new_container) {
  const auto state = running_workspace();
  EXPECT_EQ(state.status, workspace_status::running);
  EXPECT_EQ(state.container_id, "c1");
  EXPECT_EQ(state.volume, "berth-ws-w1");
  EXPECT_EQ(state.last_activity_ms, 2000);
  // Starting a running workspace again records nothing...
  EXPECT_TRUE(
      decide(state, cmd::record_started{"user", "already_running", "c1", "", 3000})->empty());
  // ...unless its container was replaced (ensure recreated it).
  auto recreated = decide(state, cmd::record_started{"recovery", "recreated", "c2", "v", 3000});
  ASSERT_TRUE(recreated);
  EXPECT_EQ(recreated->size(), 2u);
}

TEST(workspace_decide, stops_a_running_workspace_and_ignores_a_second_stop) {
  auto state = apply(running_workspace(), cmd::record_stopped{"idle", 5000});
  EXPECT_EQ(state.status, workspace_status::stopped);
  EXPECT_EQ(state.last_reason, "idle");
  EXPECT_TRUE(decide(state, cmd::record_stopped{"user", 6000})->empty());
}

TEST(workspace_decide, records_a_failed_start_and_recovers_on_the_next_start) {
  auto state = apply(apply({}, a_create()), cmd::record_failed{"user", "image missing"});
  EXPECT_EQ(state.status, workspace_status::failed);
  EXPECT_EQ(state.last_error, "image missing");
  state = apply(state, cmd::record_started{"user", "started", "c1", "v", 10});
  EXPECT_EQ(state.status, workspace_status::running);
  EXPECT_TRUE(state.last_error.empty());
}

TEST(workspace_decide, notes_the_loss_of_the_current_container_only) {
  auto state = running_workspace();
  EXPECT_TRUE(decide(state, cmd::record_container_lost{"old", "died", 137})->empty());
  state = apply(state, cmd::record_container_lost{"c1", "removed", 0});
  EXPECT_EQ(state.status, workspace_status::stopped);
  EXPECT_EQ(state.last_error, "container removed");
}

TEST(workspace_decide, records_activity_at_most_once_a_minute) {
  auto state = running_workspace();
  EXPECT_TRUE(decide(state, cmd::record_activity{2000 + activity_interval_ms - 1})->empty());
  state = apply(state, cmd::record_activity{2000 + activity_interval_ms});
  EXPECT_EQ(state.last_activity_ms, 2000 + activity_interval_ms);
}

TEST(workspace_decide, computes_the_idle_deadline_from_the_last_activity) {
  auto state = running_workspace();
  EXPECT_EQ(idle_deadline_ms(state), 2000 + 1800 * 1000);
  state.idle_timeout_s = 0;
  EXPECT_FALSE(idle_deadline_ms(state));
  EXPECT_FALSE(idle_deadline_ms(apply(running_workspace(), cmd::record_stopped{"user", 3})));
}

TEST(workspace_decide, deletes_in_two_steps_and_then_forgets_the_workspace) {
  auto state = apply(running_workspace(), cmd::request_delete{"user"});
  EXPECT_EQ(state.status, workspace_status::deleting);
  EXPECT_TRUE(decide(state, cmd::request_delete{"user"})->empty());
  EXPECT_EQ(refusal(state, cmd::rename{"x"}), domain_error::kind::conflict);
  EXPECT_EQ(plan_start(state).error().code, domain_error::kind::conflict);
  state = apply(state, cmd::record_deleted{"user"});
  EXPECT_EQ(state.status, workspace_status::deleted);
  EXPECT_EQ(refusal(state, cmd::rename{"x"}), domain_error::kind::not_found);
  EXPECT_EQ(refusal(state, cmd::request_delete{"user"}), domain_error::kind::not_found);
}

TEST(workspace_decide, refuses_to_record_a_deletion_nobody_requested) {
  EXPECT_EQ(refusal(running_workspace(), cmd::record_deleted{"user"}),
            domain_error::kind::conflict);
}

TEST(workspace_decide, refuses_every_command_on_an_unknown_workspace) {
  const workspace_state none;
  EXPECT_EQ(refusal(none, cmd::rename{"x"}), domain_error::kind::not_found);
  EXPECT_EQ(refusal(none, cmd::set_star{true}), domain_error::kind::not_found);
  EXPECT_EQ(refusal(none, cmd::record_stopped{"user", 1}), domain_error::kind::not_found);
  EXPECT_EQ(plan_start(none).error().code, domain_error::kind::not_found);
  EXPECT_EQ(plan_stop(none).error().code, domain_error::kind::not_found);
}

TEST(workspace_plan, starts_unless_running_and_stops_only_when_running) {
  const auto created = apply({}, a_create());
  EXPECT_EQ(plan_start(created), start_plan::start);
  EXPECT_EQ(plan_stop(created), stop_plan::nothing_to_do);
  const auto running = running_workspace();
  EXPECT_EQ(plan_start(running), start_plan::nothing_to_do);
  EXPECT_EQ(plan_stop(running), stop_plan::stop);
}

TEST(workspace_name, accepts_plain_names_and_rejects_others) {
  EXPECT_TRUE(is_valid_workspace_name("a"));
  EXPECT_TRUE(is_valid_workspace_name("My project-2.0_x"));
  EXPECT_FALSE(is_valid_workspace_name(""));
  EXPECT_FALSE(is_valid_workspace_name("trailing "));
  EXPECT_FALSE(is_valid_workspace_name("slash/no"));
  EXPECT_FALSE(is_valid_workspace_name("\xc3\xa9"));
}

}  // namespace
}  // namespace berth::actors
