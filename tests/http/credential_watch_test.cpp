// The credential watch's decisions with a fake database: which sockets it checks again and
// which it closes. tests/api/revocation_test.cpp covers the real server.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>

#include "http/credential_watch.hpp"

namespace berth::http {
namespace {

using namespace std::chrono_literals;
using accounts::principal;
using accounts::role;
using method = principal::method;

/// The database as the watch sees it; tests change it between ticks.
class fake_source : public credential_source {
 public:
  accounts::result<accounts::account_service::credential_versions> versions(
      const std::vector<std::string>& user_ids,
      const std::vector<std::string>& session_ids) override {
    std::lock_guard lock(mutex_);
    ++version_queries;
    if (database_down) {
      return tl::unexpected(accounts::error{accounts::error::code::dependency_unavailable, "down"});
    }
    accounts::account_service::credential_versions out;
    for (const auto& id : user_ids)
      out.user_versions[id] = user_versions[id];
    for (const auto& id : session_ids) {
      if (logged_out.contains(id)) out.revoked_session_ids.push_back(id);
    }
    return out;
  }

  accounts::result<principal> authenticate(method via, std::string_view credential) override {
    std::lock_guard lock(mutex_);
    ++authentications;
    if (database_down) {
      return tl::unexpected(accounts::error{accounts::error::code::dependency_unavailable, "down"});
    }
    const auto found = valid.find(std::string(credential));
    if (found == valid.end()) {
      return tl::unexpected(accounts::error{accounts::error::code::unauthenticated, "refused"});
    }
    auto who = found->second;
    who.via = via;
    return who;
  }

  std::mutex mutex_;
  std::map<std::string, std::int64_t> user_versions;
  std::set<std::string> logged_out;        ///< session jtis
  std::map<std::string, principal> valid;  ///< credential text → who it is now
  bool database_down = false;
  int version_queries = 0, authentications = 0;
};

/// A socket that records whether the watch closed it, and why.
struct socket_probe {
  bool closed = false;
  std::string reason;
};

principal member(const std::string& user_id, method via, const std::string& credential_id,
                 std::int64_t expires_ms = 0) {
  return {user_id, user_id, role::member, via, credential_id, expires_ms};
}

/// Watches a socket of `who` that authenticated with `credential`, valid at the fake.
std::uint64_t watch(credential_watch& watcher, fake_source& source, socket_probe& probe,
                    const principal& who, const std::string& credential) {
  source.valid[credential] = who;
  return watcher.add({who, credential, [&probe](std::string_view reason) {
                        probe.closed = true;
                        probe.reason = reason;
                      }});
}

TEST(credential_watch, keeps_sockets_whose_credentials_still_hold) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice;
  watch(watcher, source, alice, member("alice", method::cookie, "jti-1"), "jwt-1");
  watcher.tick();
  watcher.tick();
  EXPECT_FALSE(alice.closed);
  EXPECT_EQ(watcher.size(), 1u);
}

TEST(credential_watch, closes_sockets_whose_credentials_expire_even_with_the_database_away) {
  using std::chrono::system_clock;
  fake_source source;
  auto now = system_clock::time_point(std::chrono::milliseconds(1'000'000));
  credential_watch watcher(source, credential_watch::default_period, [&now] { return now; });
  socket_probe session, token, forever;
  watch(watcher, source, session, member("alice", method::cookie, "jti-1", 1'000'500), "jwt-1");
  watch(watcher, source, token, member("alice", method::token, "tok-1", 1'002'000), "berth_t");
  watch(watcher, source, forever, member("alice", method::token, "tok-2", 0), "berth_f");
  watcher.tick();
  ASSERT_FALSE(session.closed || token.closed || forever.closed);

  now += std::chrono::milliseconds(500);  // the session's exp: its first invalid moment
  source.database_down = true;            // and nothing to ask: expiry needs no database
  watcher.tick();
  EXPECT_TRUE(session.closed);
  EXPECT_EQ(session.reason, credentials_expired_reason);
  EXPECT_FALSE(token.closed);
  now += std::chrono::hours(24 * 365);
  watcher.tick();
  EXPECT_TRUE(token.closed);
  EXPECT_EQ(token.reason, credentials_expired_reason);
  EXPECT_FALSE(forever.closed) << "0 never expires";
  EXPECT_EQ(watcher.size(), 1u);
}

TEST(credential_watch, closes_the_sockets_of_a_user_refused_after_their_stream_moved) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice_cookie, alice_token, bob;
  watch(watcher, source, alice_cookie, member("alice", method::cookie, "jti-1"), "jwt-1");
  watch(watcher, source, alice_token, member("alice", method::token, "tok-1"), "berth_tok-1");
  watch(watcher, source, bob, member("bob", method::cookie, "jti-2"), "jwt-2");
  watcher.tick();
  ASSERT_FALSE(alice_cookie.closed || alice_token.closed || bob.closed);

  // alice is disabled: her stream moves and every credential of hers is refused.
  source.user_versions["alice"] = 7;
  source.valid.erase("jwt-1");
  source.valid.erase("berth_tok-1");
  watcher.tick();
  EXPECT_TRUE(alice_cookie.closed);
  EXPECT_EQ(alice_cookie.reason, credentials_revoked_reason);
  EXPECT_TRUE(alice_token.closed);
  EXPECT_FALSE(bob.closed);
  EXPECT_EQ(watcher.size(), 1u);
}

TEST(credential_watch, closes_only_the_sockets_of_a_logged_out_session) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe first, second;
  watch(watcher, source, first, member("alice", method::cookie, "jti-1"), "jwt-1");
  watch(watcher, source, second, member("alice", method::cookie, "jti-2"), "jwt-2");
  watcher.tick();
  const auto checked = source.authentications;

  // A logout appends no event: only the revoked-sessions table tells.
  source.logged_out.insert("jti-1");
  watcher.tick();
  EXPECT_TRUE(first.closed);
  EXPECT_FALSE(second.closed);
  EXPECT_EQ(source.authentications, checked) << "a logged-out session needs no second look";
}

TEST(credential_watch, closes_a_socket_whose_role_changed) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice;
  watch(watcher, source, alice, member("alice", method::token, "tok-1"), "berth_tok-1");
  watcher.tick();
  source.user_versions["alice"] = 3;
  source.valid["berth_tok-1"].role = role::auditor;
  watcher.tick();
  EXPECT_TRUE(alice.closed);
}

TEST(credential_watch, authenticates_again_only_when_the_users_stream_moved) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice, bob;
  watch(watcher, source, alice, member("alice", method::cookie, "jti-1"), "jwt-1");
  watch(watcher, source, bob, member("bob", method::cookie, "jti-2"), "jwt-2");
  watcher.tick();
  EXPECT_EQ(source.authentications, 2) << "each new socket is checked once";
  watcher.tick();
  EXPECT_EQ(source.authentications, 2);
  source.user_versions["bob"] = 2;
  watcher.tick();
  EXPECT_EQ(source.authentications, 3) << "only bob's socket";
}

TEST(credential_watch, closes_a_new_socket_revoked_before_its_first_check) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice;
  // The version never moves after registration, yet the credential is already refused (a
  // disable between the upgrade's authentication and the watch's first query).
  watch(watcher, source, alice, member("alice", method::cookie, "jti-1"), "jwt-1");
  source.valid.clear();
  watcher.tick();
  EXPECT_TRUE(alice.closed);
}

TEST(credential_watch, asks_one_query_per_tick_and_one_check_per_credential) {
  fake_source source;
  credential_watch watcher(source);
  std::vector<socket_probe> probes(100);
  for (auto& probe : probes)
    watch(watcher, source, probe, member("alice", method::cookie, "jti-1"), "jwt-1");
  watcher.tick();
  EXPECT_EQ(source.version_queries, 1);
  EXPECT_EQ(source.authentications, 1) << "the tabs of one browser share its cookie";
}

TEST(credential_watch, keeps_every_socket_open_while_the_database_is_unreachable) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice;
  watch(watcher, source, alice, member("alice", method::cookie, "jti-1"), "jwt-1");
  source.user_versions["alice"] = 5;
  source.valid.clear();
  source.database_down = true;
  watcher.tick();
  watcher.tick();
  EXPECT_FALSE(alice.closed) << "an error is not a refusal";
  EXPECT_EQ(watcher.size(), 1u);
}

TEST(credential_watch, retries_a_check_that_failed_on_the_next_tick) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice;
  watch(watcher, source, alice, member("alice", method::cookie, "jti-1"), "jwt-1");
  watcher.tick();
  source.user_versions["alice"] = 2;
  source.valid.clear();
  source.database_down = true;
  watcher.tick();
  EXPECT_FALSE(alice.closed);
  source.database_down = false;
  watcher.tick();
  EXPECT_TRUE(alice.closed) << "the version did not move again, but the check was not done";
}

TEST(credential_watch, forgets_removed_sockets) {
  fake_source source;
  credential_watch watcher(source);
  socket_probe alice;
  const auto id = watch(watcher, source, alice, member("alice", method::cookie, "jti-1"), "jwt-1");
  watcher.remove(id);
  source.valid.clear();
  watcher.tick();
  EXPECT_FALSE(alice.closed);
  EXPECT_EQ(source.version_queries, 0) << "nothing watched, nothing asked";
  watcher.remove(id);  // twice is harmless
}

TEST(credential_watch, checks_on_its_own_thread_until_stopped) {
  fake_source source;
  credential_watch watcher(source, 5ms);
  std::promise<void> closed;
  source.valid["jwt-1"] = member("alice", method::cookie, "jti-1");
  watcher.add({member("alice", method::cookie, "jti-1"), "jwt-1",
               [&closed](std::string_view) { closed.set_value(); }});
  watcher.start();
  {
    std::lock_guard lock(source.mutex_);
    source.logged_out.insert("jti-1");
  }
  EXPECT_EQ(closed.get_future().wait_for(10s), std::future_status::ready);
  watcher.stop();
  watcher.stop();  // idempotent
}

}  // namespace
}  // namespace berth::http
