#include <gtest/gtest.h>

#include "auth/jwt.hpp"
#include "tests/accounts/accounts_fixture.hpp"

namespace berth::accounts {
namespace {

using code = error::code;
using namespace std::chrono_literals;

class accounts_sessions_pgtest : public testing::accounts_fixture {
 protected:
  login_outcome must_login(const std::string& name, bool want_token = false) {
    auto outcome = accounts().login(name, "password-" + name, want_token, admin_context());
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : login_outcome{};
  }
};

TEST_F(accounts_sessions_pgtest, logs_in_with_a_session_that_authenticates) {
  const auto alice = make_user("alice", role::auditor);
  const auto outcome = must_login("alice");
  EXPECT_EQ(outcome.who.id, alice.id);
  EXPECT_FALSE(outcome.api_token);
  EXPECT_EQ(outcome.expires_ms,
            std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::floor<std::chrono::seconds>(now_.load() + 12h).time_since_epoch())
                .count());
  auto who = accounts().authenticate_session(outcome.session_token);
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(who->user_id, alice.id);
  EXPECT_EQ(who->username, "alice");
  EXPECT_EQ(who->role, role::auditor);
  EXPECT_EQ(who->via, principal::method::cookie);
  EXPECT_FALSE(who->credential_id.empty());
}

TEST_F(accounts_sessions_pgtest, says_the_same_for_an_unknown_user_and_a_wrong_password) {
  make_user("alice");
  auto wrong = accounts().login("alice", "not-her-password", false, admin_context());
  auto unknown = accounts().login("mallory", "whatever-password", false, admin_context());
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().kind, code::unauthenticated);
  EXPECT_EQ(unknown.error().kind, code::unauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(accounts_sessions_pgtest, throttles_failures_from_one_address_but_not_the_user_elsewhere) {
  make_user("alice");
  const change_context attacker{"anonymous", "203.0.113.7", ""};
  // The throttle reads the real steady clock here: after five free failures the delays
  // (1 s, 2 s, 4 s, ...) soon outgrow the time a wrong guess takes, so a refusal comes.
  std::optional<error> throttled;
  for (int attempt = 0; attempt < 20 && !throttled; ++attempt) {
    auto refused = accounts().login("alice", "wrong-password", false, attacker);
    ASSERT_FALSE(refused);
    if (refused.error().kind == code::rate_limited)
      throttled = refused.error();
    else
      EXPECT_EQ(refused.error().kind, code::unauthenticated) << attempt;
  }
  ASSERT_TRUE(throttled);
  EXPECT_GE(throttled->retry_after_s, 1);
  EXPECT_NE(throttled->message.find("try again in"), std::string::npos);
  const change_context elsewhere{"anonymous", "198.51.100.1", ""};
  EXPECT_TRUE(accounts().login("alice", "password-alice", false, elsewhere));
}

TEST_F(accounts_sessions_pgtest, successful_logins_do_not_use_up_the_budget) {
  make_user("alice");
  for (int attempt = 0; attempt < 8; ++attempt)
    must_login("alice");
}

TEST_F(accounts_sessions_pgtest, a_disabled_user_is_refused_the_moment_the_call_returns) {
  const auto alice = make_user("alice");
  const auto outcome = must_login("alice", true);
  ASSERT_TRUE(outcome.api_token);
  ASSERT_TRUE(accounts().authenticate_token(*outcome.api_token));
  ASSERT_TRUE(accounts().set_disabled(alice.id, true, admin_context()));
  auto session = accounts().authenticate_session(outcome.session_token);
  auto token = accounts().authenticate_token(*outcome.api_token);
  auto login = accounts().login("alice", "password-alice", false, admin_context());
  ASSERT_FALSE(session);
  ASSERT_FALSE(token);
  ASSERT_FALSE(login);
  EXPECT_EQ(session.error().kind, code::unauthenticated);
  EXPECT_EQ(token.error().kind, code::unauthenticated);
  EXPECT_EQ(login.error().kind, code::unauthenticated);
  ASSERT_TRUE(accounts().set_disabled(alice.id, false, admin_context()));
  EXPECT_TRUE(accounts().authenticate_session(outcome.session_token));
}

TEST_F(accounts_sessions_pgtest, sees_changes_made_by_another_node_on_the_next_call) {
  // This service has folded alice (it authenticated her); another node's service then
  // disables her, revokes her token, makes her an auditor and logs her session out.
  const auto alice = make_user("alice");
  const auto outcome = must_login("alice", true);
  ASSERT_TRUE(outcome.api_token);
  ASSERT_TRUE(accounts().authenticate_session(outcome.session_token));
  ASSERT_TRUE(accounts().authenticate_token(*outcome.api_token));
  events::event_store other_store({url()});
  account_service other_node(other_store, service_options());

  ASSERT_TRUE(other_node.set_disabled(alice.id, true, admin_context()));
  EXPECT_FALSE(accounts().authenticate_session(outcome.session_token));
  EXPECT_FALSE(accounts().authenticate_token(*outcome.api_token));
  ASSERT_TRUE(other_node.set_disabled(alice.id, false, admin_context()));
  ASSERT_TRUE(accounts().authenticate_token(*outcome.api_token));

  auto tokens = other_node.list_tokens(alice.id);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  ASSERT_TRUE(other_node.revoke_token(alice.id, tokens->front().id, admin_context()));
  EXPECT_FALSE(accounts().authenticate_token(*outcome.api_token));

  ASSERT_TRUE(other_node.set_role(alice.id, role::auditor, admin_context()));
  auto changed = accounts().authenticate_session(outcome.session_token);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->role, role::auditor);

  auto who = other_node.authenticate_session(outcome.session_token);
  ASSERT_TRUE(who);
  ASSERT_TRUE(other_node.logout(*who, admin_context()));
  EXPECT_FALSE(accounts().authenticate_session(outcome.session_token));
}

TEST_F(accounts_sessions_pgtest, logout_revokes_the_session_only) {
  make_user("alice");
  const auto first = must_login("alice");
  const auto second = must_login("alice");
  auto who = accounts().authenticate_session(first.session_token);
  ASSERT_TRUE(who);
  ASSERT_TRUE(accounts().logout(*who, admin_context()));
  auto refused = accounts().authenticate_session(first.session_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, code::unauthenticated);
  EXPECT_TRUE(accounts().authenticate_session(second.session_token));
}

TEST_F(accounts_sessions_pgtest, records_logins_failures_and_logouts_on_the_users_stream) {
  const auto alice = make_user("alice");
  const change_context from{"anonymous", "192.0.2.9", ""};
  ASSERT_FALSE(accounts().login("alice", "wrong-password", false, from));
  auto outcome = accounts().login("alice", "password-alice", true, from);
  ASSERT_TRUE(outcome) << outcome.error().message;
  auto who = accounts().authenticate_session(outcome->session_token);
  ASSERT_TRUE(who);
  ASSERT_TRUE(accounts().logout(*who, {alice.id, "192.0.2.9", ""}));

  const auto stream = "'user-" + alice.id + "'";
  EXPECT_EQ(query("SELECT string_agg(event_type, ',' ORDER BY stream_version) FROM es_events "
                  "WHERE stream_id = " +
                  stream + " AND event_type LIKE 'UserLog%'"),
            "UserLoginFailed,UserLoggedIn,UserLoggedOut");
  const auto field = [&](const std::string& type, const std::string& key) {
    return query("SELECT data->>'" + key + "' FROM es_events WHERE stream_id = " + stream +
                 " AND event_type = '" + type + "'");
  };
  EXPECT_EQ(field("UserLoginFailed", "reason"), "wrong_password");
  EXPECT_EQ(field("UserLoginFailed", "address"), "192.0.2.9");
  const auto jti = who->credential_id;
  EXPECT_EQ(field("UserLoggedIn", "session_id"), jti);
  EXPECT_EQ(field("UserLoggedIn", "address"), "192.0.2.9");
  EXPECT_EQ(field("UserLoggedIn", "method"), "password");
  EXPECT_EQ(field("UserLoggedIn", "token_issued"), "true");
  EXPECT_EQ(field("UserLoggedOut", "session_id"), jti);
  // The login names its user as the actor; the failed one was nobody yet.
  EXPECT_EQ(query("SELECT metadata->>'actor' FROM es_events WHERE stream_id = " + stream +
                  " AND event_type = 'UserLoggedIn'"),
            alice.id);
  EXPECT_EQ(query("SELECT metadata->>'actor' FROM es_events WHERE stream_id = " + stream +
                  " AND event_type = 'UserLoginFailed'"),
            "anonymous");
  // Neither the password nor the session's or token's text is in any event.
  const auto everything =
      query("SELECT string_agg(data::text || metadata::text, '') FROM es_events");
  for (const auto& secret : {std::string("password-alice"), std::string("wrong-password"),
                             outcome->session_token, *outcome->api_token})
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret;
}

TEST_F(accounts_sessions_pgtest, records_a_refused_login_of_a_disabled_user) {
  const auto alice = make_user("alice");
  ASSERT_TRUE(accounts().set_disabled(alice.id, true, admin_context()));
  ASSERT_FALSE(accounts().login("alice", "password-alice", false, admin_context()));
  EXPECT_EQ(query("SELECT data->>'reason' FROM es_events WHERE stream_id = 'user-" + alice.id +
                  "' AND event_type = 'UserLoginFailed'"),
            "disabled");
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'UserLoggedIn'"), "0");
}

TEST_F(accounts_sessions_pgtest, records_nothing_for_an_unknown_username_or_a_throttled_attempt) {
  make_user("alice");
  const auto before = query("SELECT count(*) FROM es_events");
  ASSERT_FALSE(accounts().login("mallory", "whatever-password", false, admin_context()));
  EXPECT_EQ(query("SELECT count(*) FROM es_events"), before);
  EXPECT_EQ(query("SELECT count(*) FROM es_streams WHERE stream_id LIKE 'user-%'"), "1");

  int failures = 0;
  bool throttled = false;
  for (int attempt = 0; attempt < 20 && !throttled; ++attempt) {
    auto refused = accounts().login("alice", "wrong-password", false, admin_context());
    ASSERT_FALSE(refused);
    throttled = refused.error().kind == code::rate_limited;
    if (!throttled) ++failures;
  }
  ASSERT_TRUE(throttled);
  // One event per failure the throttle let through; the refusal itself left none.
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'UserLoginFailed'"),
            std::to_string(failures));
}

TEST_F(accounts_sessions_pgtest, a_caller_with_a_token_of_its_own_logs_out_nothing) {
  const auto alice = make_user("alice");
  const auto made = accounts().create_token(alice.id, "ci", 0, admin_context());
  ASSERT_TRUE(made);
  auto who = accounts().authenticate_token(made->second);
  ASSERT_TRUE(who);
  ASSERT_TRUE(accounts().logout(*who, {alice.id, "", ""}));
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'UserLoggedOut'"), "0");
  EXPECT_TRUE(accounts().authenticate_token(made->second));
}

TEST_F(accounts_sessions_pgtest, logging_out_a_session_revokes_the_token_its_login_issued) {
  const auto alice = make_user("alice");
  const auto with_token = must_login("alice", true);
  const auto other = must_login("alice", true);
  ASSERT_TRUE(with_token.api_token);
  ASSERT_TRUE(accounts().authenticate_token(*with_token.api_token));
  auto who = accounts().authenticate_session(with_token.session_token);
  ASSERT_TRUE(who);
  ASSERT_TRUE(accounts().logout(*who, {alice.id, "", ""}));
  auto refused = accounts().authenticate_token(*with_token.api_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, code::unauthenticated);
  // The other login, and its token, are untouched.
  EXPECT_TRUE(accounts().authenticate_session(other.session_token));
  EXPECT_TRUE(accounts().authenticate_token(*other.api_token));
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'ApiTokenRevoked'"), "1");
}

TEST_F(accounts_sessions_pgtest, logging_out_with_a_login_token_ends_its_session_too) {
  const auto alice = make_user("alice");
  const auto outcome = must_login("alice", true);
  auto who = accounts().authenticate_token(*outcome.api_token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->via, principal::method::token);
  ASSERT_TRUE(accounts().logout(*who, {alice.id, "", ""}));
  EXPECT_FALSE(accounts().authenticate_token(*outcome.api_token));
  EXPECT_FALSE(accounts().authenticate_session(outcome.session_token));
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'UserLoggedOut'"), "1");
  // Logging out again (a retry) is harmless.
  ASSERT_TRUE(accounts().logout(*who, {alice.id, "", ""}));
}

TEST_F(accounts_sessions_pgtest, refuses_expired_forged_and_foreign_sessions) {
  make_user("alice");
  const auto outcome = must_login("alice");
  auto forged = outcome.session_token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(accounts().authenticate_session(forged));
  EXPECT_FALSE(accounts().authenticate_session("not-a-jwt"));
  auto claims = auth::make_session_claims("nobody", now_.load(), 1h);
  auto foreign = auth::sign_jwt(claims, std::string(32, 'j'));
  ASSERT_TRUE(foreign);
  EXPECT_FALSE(accounts().authenticate_session(*foreign));
  advance(12h + 1s);
  auto expired = accounts().authenticate_session(outcome.session_token);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().kind, code::unauthenticated);
}

TEST_F(accounts_sessions_pgtest, creates_lists_and_revokes_tokens) {
  const auto alice = make_user("alice");
  auto created = accounts().create_token(alice.id, "laptop", 0, admin_context());
  ASSERT_TRUE(created) << created.error().message;
  const auto& [info, text] = *created;
  EXPECT_EQ(info.name, "laptop");
  EXPECT_EQ(text.rfind("berth_" + info.id + "_", 0), 0u);
  auto who = accounts().authenticate_token(text);
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(who->user_id, alice.id);
  EXPECT_EQ(who->via, principal::method::token);
  EXPECT_EQ(who->credential_id, info.id);
  auto listed = accounts().list_tokens(alice.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, info.id);
  ASSERT_TRUE(accounts().revoke_token(alice.id, info.id, admin_context()));
  auto refused = accounts().authenticate_token(text);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, code::unauthenticated);
  EXPECT_TRUE(accounts().list_tokens(alice.id)->empty());
  EXPECT_EQ(accounts().revoke_token(alice.id, info.id, admin_context()).error().kind,
            code::not_found);
}

TEST_F(accounts_sessions_pgtest, a_token_of_another_user_cannot_be_revoked) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto created = accounts().create_token(alice.id, "ci", 0, admin_context());
  ASSERT_TRUE(created);
  auto refused = accounts().revoke_token(bob.id, created->first.id, admin_context());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, code::not_found);
  EXPECT_TRUE(accounts().authenticate_token(created->second));
}

TEST_F(accounts_sessions_pgtest, an_expired_token_is_refused) {
  const auto alice = make_user("alice");
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now_.load().time_since_epoch()).count();
  auto created = accounts().create_token(alice.id, "short", now_ms + 60'000, admin_context());
  ASSERT_TRUE(created);
  EXPECT_TRUE(accounts().authenticate_token(created->second));
  advance(60s);
  auto expired = accounts().authenticate_token(created->second);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().kind, code::unauthenticated);
}

TEST_F(accounts_sessions_pgtest, refuses_malformed_and_guessed_tokens) {
  const auto alice = make_user("alice");
  auto created = accounts().create_token(alice.id, "ci", 0, admin_context());
  ASSERT_TRUE(created);
  auto guessed = created->second;
  guessed[guessed.size() - 2] = guessed[guessed.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(accounts().authenticate_token(guessed));
  EXPECT_FALSE(accounts().authenticate_token("berth_nope"));
  EXPECT_FALSE(accounts().authenticate_token(""));
}

TEST_F(accounts_sessions_pgtest, a_login_token_lives_as_long_as_the_session) {
  make_user("alice");
  const auto outcome = must_login("alice", true);
  ASSERT_TRUE(outcome.api_token);
  auto who = accounts().authenticate_token(*outcome.api_token);
  ASSERT_TRUE(who);
  auto listed = accounts().list_tokens(who->user_id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "login");
  EXPECT_EQ((*listed)[0].expires_ms, outcome.expires_ms);
}

}  // namespace
}  // namespace berth::accounts
