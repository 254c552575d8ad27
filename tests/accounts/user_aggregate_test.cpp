#include "accounts/user_aggregate.hpp"

#include <gtest/gtest.h>

namespace berth::accounts {
namespace {

namespace cmd = user_command;
namespace ev = user_event;
using code = error::code;

/// Decides `command` and folds its events into `state`; fails the test on refusal.
user_state apply(user_state state, const user_command_variant& command) {
  auto events = decide(state, command);
  EXPECT_TRUE(events) << events.error().message;
  if (events) {
    for (const auto& event : *events)
      state = evolve(state, event);
  }
  return state;
}

code refusal(const user_state& state, const user_command_variant& command) {
  auto events = decide(state, command);
  EXPECT_FALSE(events);
  return events ? code::internal : events.error().kind;
}

std::size_t event_count(const user_state& state, const user_command_variant& command) {
  auto events = decide(state, command);
  EXPECT_TRUE(events) << events.error().message;
  return events ? events->size() : 0;
}

user_state alice() {
  return apply({}, cmd::create{"u1", "alice", role::member, 1000});
}

TEST(user_aggregate, creates_a_member_with_a_profile) {
  const auto state = alice();
  EXPECT_TRUE(state.exists);
  EXPECT_EQ(state.profile.id, "u1");
  EXPECT_EQ(state.profile.username, "alice");
  EXPECT_EQ(state.profile.role, role::member);
  EXPECT_FALSE(state.profile.disabled);
  EXPECT_EQ(state.profile.created_ms, 1000);
}

TEST(user_aggregate, refuses_to_create_twice_or_with_a_bad_username) {
  EXPECT_EQ(refusal(alice(), cmd::create{"u1", "alice", role::member, 1}), code::conflict);
  for (const auto& bad :
       std::vector<std::string>{"", "Alice", "-alice", "al ice", "al/ice", std::string(65, 'a')})
    EXPECT_EQ(refusal({}, cmd::create{"u1", bad, role::member, 1}), code::invalid) << bad;
  EXPECT_EQ(refusal({}, cmd::create{"", "alice", role::member, 1}), code::invalid);
}

TEST(user_aggregate, accepts_lower_case_names_with_dots_dashes_and_underscores) {
  for (const auto& good :
       std::vector<std::string>{"a", "alice.smith", "bob_2", "0day-team", std::string(64, 'z')})
    EXPECT_TRUE(is_valid_username(good)) << good;
}

TEST(user_aggregate, commands_on_a_missing_user_are_not_found) {
  const user_state none;
  EXPECT_EQ(refusal(none, cmd::change_password{1}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::set_role{role::admin}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::set_disabled{true}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::create_token{"t1", "ci", 0, 1, 0, ""}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::revoke_token{"t1"}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::set_secret{"API_KEY", 0}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::delete_secret{"API_KEY"}), code::not_found);
  EXPECT_EQ(refusal(none, cmd::record_login{"j1", "192.0.2.1", "password", false}),
            code::not_found);
  EXPECT_EQ(refusal(none, cmd::record_login_failure{"192.0.2.1", login_failure::wrong_password}),
            code::not_found);
  EXPECT_EQ(refusal(none, cmd::record_logout{"j1"}), code::not_found);
}

TEST(user_aggregate, records_a_password_change_with_its_time) {
  const auto state = apply(alice(), cmd::change_password{5000});
  EXPECT_EQ(state.password_changed_ms, 5000);
}

TEST(user_aggregate, changes_the_role_once) {
  const auto state = apply(alice(), cmd::set_role{role::auditor});
  EXPECT_EQ(state.profile.role, role::auditor);
  EXPECT_EQ(event_count(state, cmd::set_role{role::auditor}), 0u);
}

TEST(user_aggregate, disables_and_enables_and_ignores_repeats) {
  auto state = apply(alice(), cmd::set_disabled{true});
  EXPECT_TRUE(state.profile.disabled);
  EXPECT_EQ(event_count(state, cmd::set_disabled{true}), 0u);
  state = apply(state, cmd::set_disabled{false});
  EXPECT_FALSE(state.profile.disabled);
  EXPECT_EQ(event_count(state, cmd::set_disabled{false}), 0u);
}

TEST(user_aggregate, creates_and_revokes_a_token) {
  auto state = apply(alice(), cmd::create_token{"t1", "laptop", 9000, 2000, 0, ""});
  ASSERT_TRUE(state.tokens.contains("t1"));
  EXPECT_EQ(state.tokens.at("t1").info.name, "laptop");
  EXPECT_EQ(state.tokens.at("t1").info.created_ms, 2000);
  EXPECT_EQ(state.tokens.at("t1").info.expires_ms, 9000);
  state = apply(state, cmd::revoke_token{"t1"});
  EXPECT_TRUE(state.tokens.at("t1").revoked);
  EXPECT_EQ(refusal(state, cmd::revoke_token{"t1"}), code::not_found);
  EXPECT_EQ(refusal(state, cmd::revoke_token{"other"}), code::not_found);
}

TEST(user_aggregate, refuses_bad_tokens) {
  const auto state = apply(alice(), cmd::create_token{"t1", "ci", 0, 2000, 0, ""});
  EXPECT_EQ(refusal(state, cmd::create_token{"t1", "again", 0, 2000, 0, ""}), code::conflict);
  EXPECT_EQ(refusal(state, cmd::create_token{"t2", "", 0, 2000, 0, ""}), code::invalid);
  EXPECT_EQ(refusal(state, cmd::create_token{"t2", std::string(65, 'x'), 0, 2000, 0, ""}),
            code::invalid);
  EXPECT_EQ(refusal(state, cmd::create_token{"t2", "tab\there", 0, 2000, 0, ""}), code::invalid);
  EXPECT_EQ(refusal(state, cmd::create_token{"t2", "past", 2000, 2000, 0, ""}), code::invalid);
  EXPECT_EQ(refusal(state, cmd::create_token{"", "no id", 0, 2000, 0, ""}), code::invalid);
  const auto disabled = apply(state, cmd::set_disabled{true});
  EXPECT_EQ(refusal(disabled, cmd::create_token{"t2", "ci", 0, 2000, 0, ""}), code::forbidden);
}

TEST(user_aggregate, counts_only_live_tokens_against_the_token_quota) {
  auto state = apply(alice(), cmd::create_token{"t1", "ci", 0, 2000, 2, ""});
  state = apply(state, cmd::create_token{"t2", "laptop", 3000, 2000, 2, ""});
  EXPECT_EQ(refusal(state, cmd::create_token{"t3", "third", 0, 2500, 2, ""}), code::quota_exceeded);
  // t2 has expired by 3000: it no longer counts.
  state = apply(state, cmd::create_token{"t3", "third", 0, 3000, 2, ""});
  EXPECT_EQ(refusal(state, cmd::create_token{"t4", "fourth", 0, 3000, 2, ""}),
            code::quota_exceeded);
  state = apply(state, cmd::revoke_token{"t1"});
  state = apply(state, cmd::create_token{"t4", "fourth", 0, 3000, 2, ""});
  EXPECT_EQ(state.tokens.size(), 4u);
  // 0 is unlimited.
  apply(state, cmd::create_token{"t5", "fifth", 0, 3000, 0, ""});
}

TEST(user_aggregate, counts_new_secret_names_against_the_secret_quota) {
  auto state = apply(alice(), cmd::set_secret{"ONE", 2});
  state = apply(state, cmd::set_secret{"TWO", 2});
  EXPECT_EQ(refusal(state, cmd::set_secret{"THREE", 2}), code::quota_exceeded);
  // A new value for a secret it has is no new secret.
  EXPECT_EQ(event_count(state, cmd::set_secret{"TWO", 2}), 1u);
  state = apply(state, cmd::delete_secret{"ONE"});
  state = apply(state, cmd::set_secret{"THREE", 2});
  EXPECT_EQ(state.secret_names, (std::set<std::string>{"THREE", "TWO"}));
  apply(state, cmd::set_secret{"FOUR", 0});
}

TEST(user_aggregate, keeps_secret_names_and_refuses_bad_or_missing_ones) {
  auto state = apply(alice(), cmd::set_secret{"API_KEY", 0});
  state = apply(state, cmd::set_secret{"API_KEY", 0});
  EXPECT_EQ(state.secret_names, std::set<std::string>{"API_KEY"});
  EXPECT_EQ(refusal(state, cmd::set_secret{"lower", 0}), code::invalid);
  EXPECT_EQ(refusal(state, cmd::delete_secret{"OTHER"}), code::not_found);
  state = apply(state, cmd::delete_secret{"API_KEY"});
  EXPECT_TRUE(state.secret_names.empty());
}

TEST(user_aggregate, refuses_secret_names_that_shells_and_the_loader_read) {
  for (const auto* name : {"PATH", "HOME", "SHELL", "TERM", "ENV", "BASH_ENV", "IFS",
                           "PROMPT_COMMAND", "LD_PRELOAD", "LD_LIBRARY_PATH", "BERTH_TOKEN"}) {
    EXPECT_EQ(refusal(alice(), cmd::set_secret{name, 0}), code::invalid) << name;
  }
  for (const auto* name :
       {"PATHS", "MY_PATH", "HOMEBREW_TOKEN", "OLD_LD_FLAGS", "ANTHROPIC_API_KEY"}) {
    EXPECT_EQ(apply(alice(), cmd::set_secret{name, 0}).secret_names.count(name), 1u) << name;
  }
}

TEST(user_aggregate, records_logins_failures_and_logouts_without_changing_the_user) {
  const auto before = apply(alice(), cmd::create_token{"t1", "ci", 0, 2, 0, ""});
  const std::vector<user_command_variant> commands{
      cmd::record_login{"j1", "192.0.2.1", "password", true},
      cmd::record_login_failure{"203.0.113.7", login_failure::wrong_password},
      cmd::record_logout{"j1"}};
  for (const auto& command : commands) {
    const auto events = decide(before, command);
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), 1u);
    const auto after = evolve(before, events->front());
    EXPECT_EQ(after.profile.username, before.profile.username);
    EXPECT_EQ(after.profile.disabled, before.profile.disabled);
    EXPECT_EQ(after.tokens.size(), before.tokens.size());
    EXPECT_EQ(after.password_changed_ms, before.password_changed_ms);
  }
}

TEST(user_aggregate, records_a_refused_login_of_a_disabled_user_but_never_a_login) {
  const auto disabled = apply(alice(), cmd::set_disabled{true});
  EXPECT_EQ(refusal(disabled, cmd::record_login{"j1", "192.0.2.1", "password", false}),
            code::forbidden);
  EXPECT_EQ(event_count(disabled, cmd::record_login_failure{"192.0.2.1", login_failure::disabled}),
            1u);
}

TEST(user_aggregate, refuses_to_record_a_login_or_logout_without_a_session_id) {
  EXPECT_EQ(refusal(alice(), cmd::record_login{"", "192.0.2.1", "password", false}), code::invalid);
  EXPECT_EQ(refusal(alice(), cmd::record_login{"j1", "192.0.2.1", "", false}), code::invalid);
  EXPECT_EQ(refusal(alice(), cmd::record_logout{""}), code::invalid);
}

TEST(user_aggregate, spells_login_events_without_a_password_or_token) {
  const user_event_variant in = ev::logged_in{"j1", "192.0.2.1", "password", true};
  EXPECT_EQ(event_type_of(in), "UserLoggedIn");
  EXPECT_EQ(event_data_of(in),
            R"({"session_id":"j1","address":"192.0.2.1","method":"password","token_issued":true})");
  const user_event_variant failed = ev::login_failed{"203.0.113.7", login_failure::disabled};
  EXPECT_EQ(event_type_of(failed), "UserLoginFailed");
  EXPECT_EQ(event_data_of(failed), R"({"address":"203.0.113.7","reason":"disabled"})");
  const user_event_variant out = ev::logged_out{"j1"};
  EXPECT_EQ(event_type_of(out), "UserLoggedOut");
  EXPECT_EQ(event_data_of(out), R"({"session_id":"j1"})");
}

TEST(user_aggregate, names_and_parses_login_failure_reasons) {
  for (const auto reason : {login_failure::wrong_password, login_failure::disabled})
    EXPECT_EQ(parse_login_failure(to_string(reason)), reason);
  // Throttled attempts are never recorded, so no event carries that reason.
  EXPECT_FALSE(parse_login_failure("throttled"));
}

TEST(user_aggregate, spells_events_as_the_catalogue_does) {
  const user_event_variant created = ev::created{"u1", "alice", role::admin, 1000};
  EXPECT_EQ(event_type_of(created), "UserCreated");
  EXPECT_EQ(event_data_of(created),
            R"({"user_id":"u1","username":"alice","role":"admin","created_ms":1000})");
  const user_event_variant token = ev::token_created{"t1", "ci", 2, 3, ""};
  EXPECT_EQ(event_type_of(token), "ApiTokenCreated");
  EXPECT_EQ(event_data_of(token), R"({"token_id":"t1","name":"ci","created_ms":2,"expires_ms":3})");
  const user_event_variant login_token = ev::token_created{"t2", "login", 2, 3, "j1"};
  EXPECT_EQ(event_data_of(login_token), R"({"token_id":"t2","name":"login","created_ms":2,)"
                                        R"("expires_ms":3,"session_id":"j1"})");
  EXPECT_EQ(event_type_of(ev::disabled{}), "UserDisabled");
  EXPECT_EQ(event_data_of(ev::enabled{}), "{}");
  EXPECT_EQ(event_data_of(ev::password_changed{7}), R"({"changed_ms":7})");
}

TEST(user_aggregate, parses_every_event_it_writes) {
  const std::vector<user_event_variant> all{ev::created{"u1", "alice", role::auditor, 1},
                                            ev::password_changed{2},
                                            ev::role_changed{role::admin},
                                            ev::disabled{},
                                            ev::enabled{},
                                            ev::token_created{"t1", "ci", 3, 0, ""},
                                            ev::token_created{"t2", "login", 3, 9, "j1"},
                                            ev::token_revoked{"t1"},
                                            ev::secret_set{"API_KEY"},
                                            ev::secret_deleted{"API_KEY"},
                                            ev::logged_in{"j1", "192.0.2.1", "password", false},
                                            ev::login_failed{"", login_failure::wrong_password},
                                            ev::logged_out{"j1"}};
  for (const auto& event : all) {
    const auto parsed = parse_user_event(event_type_of(event), event_data_of(event));
    ASSERT_TRUE(parsed) << event_type_of(event);
    EXPECT_EQ(parsed->index(), event.index());
    EXPECT_EQ(event_data_of(*parsed), event_data_of(event));
  }
}

TEST(user_aggregate, skips_unknown_or_malformed_events) {
  EXPECT_FALSE(parse_user_event("UserRenamed", "{}"));
  EXPECT_FALSE(parse_user_event("UserCreated", "not json"));
  EXPECT_FALSE(parse_user_event("UserCreated", R"({"user_id":"u1","username":"a","role":"x"})"));
  EXPECT_FALSE(parse_user_event("ApiTokenRevoked", "{}"));
  EXPECT_FALSE(parse_user_event("UserLoggedIn", R"({"address":"192.0.2.1","method":"password"})"));
  EXPECT_FALSE(parse_user_event("UserLoginFailed", R"({"address":"192.0.2.1","reason":"x"})"));
  EXPECT_FALSE(parse_user_event("UserLoggedOut", "{}"));
}

TEST(user_aggregate, names_and_parses_roles) {
  for (const auto r : {role::member, role::auditor, role::admin})
    EXPECT_EQ(parse_role(to_string(r)), r);
  EXPECT_FALSE(parse_role("root"));
  EXPECT_FALSE(parse_role("Admin"));
}

}  // namespace
}  // namespace berth::accounts
