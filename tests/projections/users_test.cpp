#include "projections/users.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/projections/event_factory.hpp"

namespace berth::projections {
namespace {

using ::testing::HasSubstr;
using testing::recorded;
using testing::single_change;
using ::testing::StartsWith;

TEST(user_projection, creates_a_user_row) {
  const auto change = single_change(apply_user_event(
      recorded("user-u1", 1, "UserCreated",
               R"({"user_id":"u1","username":"alice","role":"member","created_ms":1000})")));
  EXPECT_THAT(change.statement, HasSubstr("INSERT INTO rm_users"));
  // Without a conflict target: neither a replay nor a taken username stops the projection.
  EXPECT_THAT(change.statement, HasSubstr("ON CONFLICT DO NOTHING"));
  const std::vector<std::optional<std::string>> expected{"u1", "alice", "member", "1000", "1"};
  EXPECT_EQ(change.params, expected);
}

TEST(user_projection, changes_role_and_disabled_flag_of_an_older_row) {
  const auto role = single_change(
      apply_user_event(recorded("user-u1", 2, "UserRoleChanged", R"({"role":"admin"})")));
  EXPECT_THAT(role.statement, HasSubstr("role = $3"));
  EXPECT_THAT(role.statement, HasSubstr("WHERE user_id = $1 AND version < $2"));
  EXPECT_EQ(role.params.at(2), "admin");
  EXPECT_THAT(single_change(apply_user_event(recorded("user-u1", 3, "UserDisabled"))).statement,
              HasSubstr("disabled = true"));
  EXPECT_THAT(single_change(apply_user_event(recorded("user-u1", 4, "UserEnabled"))).statement,
              HasSubstr("disabled = false"));
}

TEST(user_projection, guards_token_and_secret_changes_by_the_user_rows_version) {
  const char* types[][2] = {
      {"ApiTokenCreated", R"({"token_id":"t1","name":"cli","created_ms":1,"expires_ms":5})"},
      {"ApiTokenRevoked", R"({"token_id":"t1"})"},
      {"SecretSet", R"({"name":"KEY"})"},
      {"SecretDeleted", R"({"name":"KEY"})"},
  };
  for (const auto& [type, data] : types) {
    const auto change = single_change(apply_user_event(recorded("user-u1", 6, type, data)));
    EXPECT_THAT(change.statement,
                StartsWith("WITH applied AS (UPDATE rm_users SET version = $2 WHERE user_id = $1 "
                           "AND version < $2"))
        << type;
    EXPECT_EQ(change.params.at(0), "u1") << type;
    EXPECT_EQ(change.params.at(1), "6") << type;
  }
}

TEST(user_projection, stores_a_token_that_never_expires_without_an_expiry) {
  const auto never = single_change(apply_user_event(
      recorded("user-u1", 2, "ApiTokenCreated",
               R"({"token_id":"t1","name":"cli","created_ms":1100,"expires_ms":0})")));
  const std::vector<std::optional<std::string>> expected{"u1",  "2",    "t1",
                                                         "cli", "1100", std::nullopt};
  EXPECT_EQ(never.params, expected);
  const auto expiring = single_change(apply_user_event(
      recorded("user-u1", 3, "ApiTokenCreated",
               R"({"token_id":"t2","name":"ci","created_ms":1200,"expires_ms":90000})")));
  EXPECT_EQ(expiring.params.at(5), "90000");
}

TEST(user_projection, keeps_secret_names_only) {
  const auto change = single_change(
      apply_user_event(recorded("user-u1", 2, "SecretSet", R"({"name":"ANTHROPIC_API_KEY"})")));
  EXPECT_THAT(change.statement, HasSubstr("INSERT INTO rm_user_secrets (user_id, name)"));
  EXPECT_EQ(change.params.at(2), "ANTHROPIC_API_KEY");
  EXPECT_EQ(change.params.size(), 3u);
}

TEST(user_projection, shows_nothing_of_a_password_change) {
  const auto result = apply_user_event(recorded("user-u1", 2, "UserPasswordChanged"));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->empty());
}

TEST(user_projection, skips_unknown_user_event_types) {
  EXPECT_FALSE(apply_user_event(recorded("user-u1", 2, "UserTeleported")));
}

TEST(user_projection, has_nothing_to_do_with_other_streams) {
  const auto result = apply_user_event(recorded("workspace-w1", 1, "WorkspaceCreated"));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->empty());
}

}  // namespace
}  // namespace berth::projections
