#include <gtest/gtest.h>

#include "auth/api_token.hpp"
#include "tests/accounts/accounts_fixture.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

class accounts_secrets_pgtest : public testing::accounts_fixture {};

TEST_F(accounts_secrets_pgtest, stores_secrets_encrypted_and_returns_them_only_as_environment) {
  const auto alice = make_user("alice");
  ASSERT_TRUE(accounts().set_secret(alice.id, "API_KEY", "sk-plain-value", admin_context()));
  ASSERT_TRUE(accounts().set_secret(alice.id, "OTHER", "second", admin_context()));
  ASSERT_TRUE(accounts().set_secret(alice.id, "API_KEY", "sk-new-value", admin_context()));
  EXPECT_EQ(*accounts().secret_names(alice.id), (std::vector<std::string>{"API_KEY", "OTHER"}));
  EXPECT_EQ(*accounts().secret_environment(alice.id),
            (std::vector<std::string>{"API_KEY=sk-new-value", "OTHER=second"}));
  EXPECT_EQ(query("SELECT count(*) FROM auth_user_secrets WHERE position('sk-new-value'::bytea "
                  "IN ciphertext) > 0"),
            "0");
  ASSERT_TRUE(accounts().delete_secret(alice.id, "OTHER", admin_context()));
  EXPECT_EQ(*accounts().secret_names(alice.id), std::vector<std::string>{"API_KEY"});
  EXPECT_EQ(accounts().delete_secret(alice.id, "OTHER", admin_context()).error().kind,
            code::not_found);
}

TEST_F(accounts_secrets_pgtest, keeps_each_users_secrets_apart) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  ASSERT_TRUE(accounts().set_secret(alice.id, "API_KEY", "alice-value", admin_context()));
  EXPECT_TRUE(accounts().secret_names(bob.id)->empty());
  EXPECT_TRUE(accounts().secret_environment(bob.id)->empty());
}

TEST_F(accounts_secrets_pgtest, refuses_bad_names_large_values_and_unknown_users) {
  const auto alice = make_user("alice");
  EXPECT_EQ(accounts().set_secret(alice.id, "lower", "x", admin_context()).error().kind,
            code::invalid);
  EXPECT_EQ(accounts()
                .set_secret(alice.id, "BIG", std::string(64 * 1024 + 1, 'x'), admin_context())
                .error()
                .kind,
            code::too_large);
  EXPECT_EQ(accounts().set_secret("nobody", "API_KEY", "x", admin_context()).error().kind,
            code::not_found);
  EXPECT_EQ(query("SELECT count(*) FROM auth_user_secrets"), "0");
  EXPECT_EQ(query("SELECT count(*) FROM es_events WHERE event_type = 'SecretSet'"), "0");
}

TEST_F(accounts_secrets_pgtest, refuses_secrets_without_a_master_key) {
  auto opts = service_options();
  opts.master_key.reset();
  account_service keyless(store(), opts);
  const auto alice = make_user("alice");
  auto refused = keyless.set_secret(alice.id, "API_KEY", "value", admin_context());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, code::invalid);
  EXPECT_NE(refused.error().message.find("BERTH_MASTER_KEY"), std::string::npos);
}

TEST_F(accounts_secrets_pgtest, no_secret_or_hash_ever_reaches_the_event_log) {
  const auto alice = make_user("alice");
  const std::string secret_value = "sk-ant-very-secret-value";
  ASSERT_TRUE(accounts().set_secret(alice.id, "ANTHROPIC_API_KEY", secret_value, admin_context()));
  auto login = accounts().login("alice", "password-alice", true, admin_context());
  ASSERT_TRUE(login);
  ASSERT_TRUE(accounts().change_password(alice.id, "second-password", admin_context()));
  const auto token_text = *login->api_token;
  const auto token = auth::parse_api_token(token_text);
  ASSERT_TRUE(token);
  const auto password_hash = query("SELECT password_hash FROM auth_credentials");
  const auto token_hash = query("SELECT secret_hash FROM auth_api_tokens");
  ASSERT_FALSE(password_hash.empty());
  ASSERT_FALSE(token_hash.empty());
  const auto log = query(
      "SELECT string_agg(event_type || data::text || metadata::text || coalesce(encode(body, "
      "'escape'), ''), '\n') FROM es_events");
  ASSERT_NE(log.find("SecretSet"), std::string::npos);
  for (const auto& forbidden :
       {secret_value, std::string("password-alice"), std::string("second-password"), password_hash,
        token_text, token->id + "_", token_hash, login->session_token}) {
    EXPECT_EQ(log.find(forbidden), std::string::npos) << forbidden;
  }
  // The hash fragment after the salt, in case the stored form were ever re-encoded.
  EXPECT_EQ(log.find(password_hash.substr(password_hash.rfind('$') + 1)), std::string::npos);
}

}  // namespace
}  // namespace berth::accounts
