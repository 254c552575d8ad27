#include "accounts/template_aggregate.hpp"

#include <gtest/gtest.h>

namespace berth::accounts {
namespace {

namespace cmd = template_command;
using code = error::code;

workspace_template python() {
  workspace_template spec;
  spec.id = "python";
  spec.name = "Python 3";
  spec.image = "berth/python:3.12";
  spec.env = {{"PIP_INDEX_URL", "https://pypi.example"}};
  return spec;
}

template_state apply(template_state state, const template_command_variant& command) {
  auto events = decide(state, command);
  EXPECT_TRUE(events) << events.error().message;
  if (events) {
    for (const auto& event : *events)
      state = evolve(state, event);
  }
  return state;
}

code refusal(const template_state& state, const template_command_variant& command) {
  auto events = decide(state, command);
  EXPECT_FALSE(events);
  return events ? code::internal : events.error().kind;
}

TEST(template_aggregate, creates_updates_and_deletes) {
  auto state = apply({}, cmd::create{python()});
  EXPECT_TRUE(state.exists);
  EXPECT_EQ(state.spec.image, "berth/python:3.12");
  auto changed = python();
  changed.id = "ignored";
  changed.image = "berth/python:3.13";
  state = apply(state, cmd::update{changed});
  EXPECT_EQ(state.spec.image, "berth/python:3.13");
  EXPECT_EQ(state.spec.id, "python");
  state = apply(state, cmd::remove{});
  EXPECT_TRUE(state.deleted);
  EXPECT_EQ(refusal(state, cmd::update{python()}), code::not_found);
  EXPECT_EQ(refusal(state, cmd::remove{}), code::not_found);
}

TEST(template_aggregate, refuses_a_second_create_and_commands_on_nothing) {
  const auto state = apply({}, cmd::create{python()});
  EXPECT_EQ(refusal(state, cmd::create{python()}), code::conflict);
  EXPECT_EQ(refusal({}, cmd::update{python()}), code::not_found);
  EXPECT_EQ(refusal({}, cmd::remove{}), code::not_found);
}

TEST(template_aggregate, refuses_fields_that_break_the_rules) {
  const auto broken = [](auto change) {
    auto spec = python();
    change(spec);
    return refusal({}, cmd::create{spec});
  };
  EXPECT_EQ(broken([](auto& s) { s.id = "Has Caps"; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.name = ""; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.name = std::string(65, 'n'); }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.name = "semi;colon"; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.image = ""; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.image = std::string(257, 'i'); }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.image = "two words"; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.memory_bytes = 64LL * 1024 * 1024 - 1; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.nano_cpus = 9'999'999; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.pids = 15; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.idle_timeout_s = -1; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.env["lower"] = "x"; }), code::invalid);
  EXPECT_EQ(broken([](auto& s) { s.env["BIG"] = std::string(4097, 'x'); }), code::invalid);
}

TEST(template_aggregate, accepts_the_smallest_sane_limits) {
  auto spec = python();
  spec.memory_bytes = 64LL * 1024 * 1024;
  spec.nano_cpus = 10'000'000;
  spec.pids = 16;
  spec.idle_timeout_s = 0;
  EXPECT_TRUE(check_template(spec));
}

TEST(template_aggregate, round_trips_its_events_through_json) {
  auto spec = python();
  spec.sudo_allowed = true;
  spec.idle_timeout_s = 60;
  const template_event_variant created = template_event::created{spec};
  EXPECT_EQ(event_type_of(created), "TemplateCreated");
  const auto parsed = parse_template_event("TemplateCreated", event_data_of(created));
  ASSERT_TRUE(parsed);
  const auto state = evolve({}, *parsed);
  EXPECT_EQ(state.spec.id, "python");
  EXPECT_EQ(state.spec.env, spec.env);
  EXPECT_EQ(state.spec.memory_bytes, spec.memory_bytes);
  EXPECT_TRUE(state.spec.sudo_allowed);
  EXPECT_EQ(state.spec.idle_timeout_s, 60);
  EXPECT_EQ(event_data_of(template_event::deleted{}), "{}");
  EXPECT_FALSE(parse_template_event("TemplateCreated", "{}"));
  EXPECT_FALSE(parse_template_event("TemplateRenamed", "{}"));
}

}  // namespace
}  // namespace berth::accounts
