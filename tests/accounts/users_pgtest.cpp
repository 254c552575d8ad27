#include <gtest/gtest.h>

#include "tests/accounts/accounts_fixture.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

class accounts_users_pgtest : public testing::accounts_fixture {};

TEST_F(accounts_users_pgtest, creates_a_user_with_an_event_and_a_credentials_row) {
  const auto alice = make_user("alice", role::auditor);
  EXPECT_EQ(alice.username, "alice");
  EXPECT_EQ(alice.role, role::auditor);
  EXPECT_EQ(query("SELECT event_type || ' ' || (data->>'username') || ' ' || (data->>'role') FROM "
                  "es_events WHERE stream_id = 'user-" +
                  alice.id + "'"),
            "UserCreated alice auditor");
  EXPECT_EQ(query("SELECT metadata->>'actor' || ' ' || (metadata->>'remote_address') || ' ' || "
                  "(metadata ? 'trace_id')::text || ' ' || (metadata ? 'node')::text FROM "
                  "es_events"),
            "system 192.0.2.1 false true");
  auto fetched = accounts().get_user(alice.id);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->username, "alice");
}

TEST_F(accounts_users_pgtest, refuses_a_taken_username_without_writing_anything) {
  make_user("alice");
  auto again = accounts().create_user("alice", "another-password", role::admin, admin_context());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, code::conflict);
  EXPECT_EQ(query("SELECT count(*) FROM es_events"), "1");
  EXPECT_EQ(query("SELECT count(*) FROM auth_credentials"), "1");
}

TEST_F(accounts_users_pgtest, refuses_bad_names_and_passwords) {
  auto bad_name = accounts().create_user("Alice!", "long-enough", role::member, admin_context());
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().kind, code::invalid);
  auto short_password = accounts().create_user("alice", "short", role::member, admin_context());
  ASSERT_FALSE(short_password);
  EXPECT_EQ(short_password.error().kind, code::invalid);
  EXPECT_EQ(query("SELECT count(*) FROM auth_credentials"), "0");
}

TEST_F(accounts_users_pgtest, reclaims_a_username_whose_reservation_was_abandoned) {
  // A crash between reserving and appending leaves a row without a stream.
  {
    pqxx::connection connection(url());
    pqxx::work tx(connection);
    tx.exec(
        "INSERT INTO auth_credentials (user_id, username, password_hash, reserved_ms) "
        "VALUES ('ghost', 'alice', 'x', 0)");
    tx.commit();
  }
  const auto alice = make_user("alice");
  EXPECT_NE(alice.id, "ghost");
  EXPECT_EQ(query("SELECT user_id FROM auth_credentials WHERE username = 'alice'"), alice.id);
}

TEST_F(accounts_users_pgtest, lists_users_and_changes_role_and_disabled) {
  const auto alice = make_user("alice");
  make_user("bob");
  auto promoted = accounts().set_role(alice.id, role::admin, admin_context());
  ASSERT_TRUE(promoted);
  EXPECT_EQ(promoted->role, role::admin);
  auto disabled = accounts().set_disabled(alice.id, false, admin_context());
  ASSERT_TRUE(disabled);
  auto users = accounts().list_users();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].username, "alice");
  EXPECT_EQ((*users)[0].role, role::admin);
  EXPECT_EQ((*users)[1].username, "bob");
  EXPECT_EQ(query("SELECT string_agg(event_type, ',' ORDER BY stream_version) FROM es_events "
                  "WHERE stream_id = 'user-" +
                  alice.id + "'"),
            "UserCreated,UserRoleChanged");
}

TEST_F(accounts_users_pgtest, unknown_users_are_not_found) {
  EXPECT_EQ(accounts().get_user("nobody").error().kind, code::not_found);
  EXPECT_EQ(accounts().set_role("nobody", role::admin, admin_context()).error().kind,
            code::not_found);
  EXPECT_EQ(accounts().change_password("nobody", "long-enough", admin_context()).error().kind,
            code::not_found);
}

TEST_F(accounts_users_pgtest, has_admin_only_with_an_enabled_admin) {
  EXPECT_FALSE(*accounts().has_admin());
  const auto root = make_user("root", role::admin);
  EXPECT_TRUE(*accounts().has_admin());
  const auto other = make_user("other", role::admin);
  ASSERT_TRUE(accounts().set_disabled(other.id, true, admin_context()));
  EXPECT_TRUE(*accounts().has_admin());
  ASSERT_TRUE(accounts().set_role(other.id, role::member, admin_context()));
  EXPECT_TRUE(*accounts().has_admin());
  (void)root;
}

TEST_F(accounts_users_pgtest, keeps_the_last_enabled_admin) {
  const auto root = make_user("root", role::admin);
  auto demoted = accounts().set_role(root.id, role::member, admin_context());
  ASSERT_FALSE(demoted);
  EXPECT_EQ(demoted.error().kind, code::conflict);
  auto disabled = accounts().set_disabled(root.id, true, admin_context());
  ASSERT_FALSE(disabled);
  EXPECT_EQ(disabled.error().kind, code::conflict);
  EXPECT_TRUE(*accounts().has_admin());
}

TEST_F(accounts_users_pgtest, changes_a_password_with_an_event_that_holds_no_hash) {
  const auto alice = make_user("alice");
  const auto old_hash = query("SELECT password_hash FROM auth_credentials");
  ASSERT_TRUE(accounts().change_password(alice.id, "brand-new-password", admin_context()));
  EXPECT_NE(query("SELECT password_hash FROM auth_credentials"), old_hash);
  EXPECT_FALSE(accounts().login("alice", "password-alice", false, admin_context()));
  EXPECT_TRUE(accounts().login("alice", "brand-new-password", false, admin_context()));
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'UserPasswordChanged'"), "1");
}

TEST_F(accounts_users_pgtest, a_second_service_on_the_database_decides_on_the_latest_state) {
  const auto alice = make_user("alice");
  // No cache between services: each folds the stream, so neither works on stale state.
  account_service second(store(), service_options());
  auto first_change = accounts().set_role(alice.id, role::auditor, admin_context());
  auto second_change = second.set_disabled(alice.id, true, admin_context());
  ASSERT_TRUE(first_change);
  ASSERT_TRUE(second_change);
  EXPECT_EQ(second_change->role, role::auditor);
  EXPECT_TRUE(second_change->disabled);
}

}  // namespace
}  // namespace berth::accounts
