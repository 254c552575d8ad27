#include "tests/api/api_fixture.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "accounts/accounts.hpp"
#include "events/event_store.hpp"

namespace berth::testing {

using namespace std::chrono_literals;

std::string text_of(const boost::json::value& value, const std::string& key) {
  if (!value.is_object()) return {};
  const auto* found = value.as_object().if_contains(key);
  return found && found->is_string() ? std::string(found->as_string()) : std::string();
}

void api_test::SetUp() {
  pg_test::SetUp();
  if (HasFatalFailure()) return;
  {
    // Users are made the way `berth admin create-user` makes them, on the same database.
    events::event_store store({url()});
    accounts::account_service::options options;
    options.database_url = url();
    options.jwt_secret = std::string(32, 'k');
    options.password_limits = auth::password_limits::minimum();
    accounts::account_service accounts(store, options);
    for (const auto& [name, role] :
         {std::pair{"alice", accounts::role::member}, std::pair{"bob", accounts::role::member},
          std::pair{"audrey", accounts::role::auditor}, std::pair{"ada", accounts::role::admin}}) {
      ASSERT_TRUE(accounts.create_user(name, std::string(name) + "-password", role, {}));
    }
  }
  server_ = std::make_unique<berth_server>(
      url(), ::testing::TempDir() + "berth-api-" + std::to_string(::getpid()),
      server_environment());
  ASSERT_TRUE(server_->start());
  alice_ = std::make_unique<api_client>(*server_);
  bob_ = std::make_unique<api_client>(*server_);
  audrey_ = std::make_unique<api_client>(*server_);
  ada_ = std::make_unique<api_client>(*server_);
  anonymous_ = std::make_unique<api_client>(*server_);
  ASSERT_TRUE(alice_->login("alice", "alice-password")) << server_->output();
  ASSERT_TRUE(bob_->login("bob", "bob-password"));
  ASSERT_TRUE(audrey_->login("audrey", "audrey-password"));
  ASSERT_TRUE(ada_->login("ada", "ada-password"));
}

std::map<std::string, std::string> api_test::server_environment() const {
  // Idle workspaces are looked for every second, so the idle test does not wait long.
  return {{"BERTH_IDLE_SWEEP_SECONDS", "1"}};
}

void api_test::TearDown() {
  alice_.reset();
  bob_.reset();
  audrey_.reset();
  ada_.reset();
  anonymous_.reset();
  server_.reset();
  pg_test::TearDown();
}

boost::json::object api_test::create_workspace(api_client& owner, const std::string& name,
                                               bool start) {
  const auto reply =
      owner.call("POST", "/api/workspaces",
                 boost::json::serialize(boost::json::object{{"name", name}, {"start", start}}));
  EXPECT_EQ(reply.status, 201) << reply.body << (reply.status == 0 ? server_->output() : "");
  return reply.json.is_object() ? reply.json.as_object() : boost::json::object{};
}

std::string api_test::user_id_of(api_client& client) {
  return text_of(client.call("GET", "/api/me").json, "id");
}

bool api_test::wait_for_state(api_client& client, const std::string& id, const std::string& state,
                              std::chrono::milliseconds timeout) {
  return wait_until(
      [&] { return text_of(client.call("GET", "/api/workspaces/" + id).json, "state") == state; },
      timeout);
}

}  // namespace berth::testing
