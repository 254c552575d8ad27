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

TEST_F(accounts_sessions_pgtest, throttles_repeated_failures_and_says_when_to_retry) {
  make_user("alice");
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto refused = accounts().login("alice", "wrong-password", false, admin_context());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, code::unauthenticated);
  }
  auto throttled = accounts().login("alice", "password-alice", false, admin_context());
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().kind, code::rate_limited);
  EXPECT_GT(throttled.error().retry_after_s, 0);
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
  ASSERT_TRUE(other_node.logout(*who));
  EXPECT_FALSE(accounts().authenticate_session(outcome.session_token));
}

TEST_F(accounts_sessions_pgtest, logout_revokes_the_session_only) {
  make_user("alice");
  const auto first = must_login("alice");
  const auto second = must_login("alice");
  auto who = accounts().authenticate_session(first.session_token);
  ASSERT_TRUE(who);
  ASSERT_TRUE(accounts().logout(*who));
  auto refused = accounts().authenticate_session(first.session_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, code::unauthenticated);
  EXPECT_TRUE(accounts().authenticate_session(second.session_token));
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
