// Members are untrusted towards each other (docs/security.md): attacks tried against a real
// server, PostgreSQL and Docker. Each test first shows the attempt reached the server (Berth's
// own error answered it, or the probe ran in the container) before asserting it failed.

#include <thread>

#include <gtest/gtest.h>

#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

bool lists_user(api_client& admin, const std::string& username) {
  const auto users = admin.call("GET", "/api/admin/users");
  EXPECT_EQ(users.status, 200);
  for (const auto& each : users.json.at("users").as_array()) {
    if (text_of(each, "username") == username) return true;
  }
  return false;
}

TEST_F(session_test, a_page_of_another_origin_cannot_make_an_admins_browser_change_anything) {
  const std::string forged_admin =
      R"({"username":"mallory","password":"mallory-password","role":"admin"})";
  // What an HTML form or a no-cors fetch on another port of this host can send: text/plain.
  const auto as_form = ada_->call("POST", "/api/admin/users", forged_admin,
                                  "Content-Type: text/plain;charset=UTF-8\r\n");
  EXPECT_EQ(as_form.status, 415) << as_form.body;
  EXPECT_EQ(as_form.error_code(), "unsupported_media_type");  // Berth's guard answered
  const auto other_port = "Origin: http://127.0.0.1:" + std::to_string(server_->port() + 1) +
                          "\r\nSec-Fetch-Site: same-site\r\n";
  const auto from_other_origin = ada_->call("POST", "/api/admin/users", forged_admin, other_port);
  EXPECT_EQ(from_other_origin.status, 403) << from_other_origin.body;
  EXPECT_EQ(from_other_origin.error_code(), "cross_site_request");
  const auto origin_only =
      ada_->call("POST", "/api/admin/users", forged_admin, "Origin: https://evil.example\r\n");
  EXPECT_EQ(origin_only.status, 403);
  // Login CSRF: signing the victim into the attacker's account is refused the same way.
  api_client anonymous(*server_);
  const auto forged_login =
      anonymous.call("POST", "/api/auth/login", R"({"username":"bob","password":"bob-password"})",
                     "Content-Type: text/plain\r\n");
  EXPECT_EQ(forged_login.status, 415);
  EXPECT_TRUE(forged_login.header("set-cookie").empty());
  EXPECT_FALSE(lists_user(*ada_, "mallory"));

  // The same request from Berth's own page (same origin, JSON) works: the payload was valid,
  // so only the guard stopped the forgeries above.
  const auto own_page = ada_->call("POST", "/api/admin/users", forged_admin,
                                   "Origin: http://127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n");
  EXPECT_EQ(own_page.status, 201) << own_page.body;
  EXPECT_TRUE(lists_user(*ada_, "mallory"));
}

TEST_F(session_test, a_session_gets_the_workspace_owners_secrets_whoever_opens_it) {
  const std::string canary = "admin-canary-" + std::to_string(server_->port());
  ASSERT_EQ(
      ada_->call("PUT", "/api/me/secrets/ADA_CANARY", R"({"value":")" + canary + R"("})").status,
      204);
  ASSERT_EQ(alice_->call("PUT", "/api/me/secrets/ALICE_KEY", R"({"value":"alice-value"})").status,
            204);
  const auto workspace = text_of(create_workspace(*alice_, "owned", true), "id");
  // The admin opens a terminal in alice's workspace (the Admin page links to it).
  const auto opened = ada_->call("POST", "/api/workspaces/" + workspace + "/sessions");
  ASSERT_EQ(opened.status, 201) << opened.body;
  auto admin_terminal = terminal_client::connect(server_->port(), workspace,
                                                 text_of(opened.json, "id"), token_of("ada"));
  ASSERT_TRUE(admin_terminal) << admin_terminal.error().body;
  ASSERT_TRUE(admin_terminal->wait_for_control("attached", 10s).is_object());
  ASSERT_TRUE(admin_terminal->type("echo \"owner=[$ALICE_KEY] admin=[${ADA_CANARY:-none}]\"\r"));
  // The probe ran in alice's container: it printed alice's secret ...
  EXPECT_TRUE(admin_terminal->wait_for("owner=[alice-value] admin=[none]", 10s))
      << admin_terminal->output();
  // ... and the admin's never reached it, neither the shell nor the container's configuration.
  EXPECT_EQ(admin_terminal->output().find(canary), std::string::npos);
  const auto inspected =
      shell("docker inspect $(docker ps -q --filter label=berth.workspace=" + workspace + ") 2>&1");
  ASSERT_TRUE(inspected);
  EXPECT_NE(inspected->find(workspace), std::string::npos) << *inspected;
  EXPECT_EQ(inspected->find(canary), std::string::npos);
}

TEST_F(session_test, secrets_reach_new_terminals_and_never_the_containers_configuration) {
  ASSERT_EQ(
      alice_->call("PUT", "/api/me/secrets/PROJECT_TOKEN", R"({"value":"s3cr3t-value"})").status,
      204);
  const auto [workspace, session] = open_session();
  auto terminal = attach(workspace, session);
  ASSERT_TRUE(terminal.wait_for_control("attached", 10s).is_object());
  ASSERT_TRUE(terminal.type("echo \"token=[$PROJECT_TOKEN]\"\r"));
  EXPECT_TRUE(terminal.wait_for("token=[s3cr3t-value]", 10s)) << terminal.output();
  // The container's configuration and its other processes never had it.
  const auto container =
      shell("docker ps -q --filter label=berth.workspace=" + workspace + " | head -n 1");
  ASSERT_TRUE(container && !container->empty());
  const auto id = container->substr(0, container->find('\n'));
  const auto inspected = shell("docker inspect " + id);
  ASSERT_TRUE(inspected);
  EXPECT_NE(inspected->find(workspace), std::string::npos);  // the right container
  EXPECT_EQ(inspected->find("s3cr3t-value"), std::string::npos) << "in docker inspect";
  EXPECT_EQ(shell("docker exec " + id + " sh -c 'echo \"[$PROJECT_TOKEN]\"'"), "[]\n");
  // Never in an answer or the log.
  const auto names = alice_->call("GET", "/api/me/secrets");
  EXPECT_NE(names.body.find("PROJECT_TOKEN"), std::string::npos);
  EXPECT_EQ(names.body.find("s3cr3t-value"), std::string::npos);
  EXPECT_EQ(server_->output().find("s3cr3t-value"), std::string::npos) << "a secret was logged";

  // A changed or deleted secret applies to the next terminal at once, without a restart.
  ASSERT_EQ(alice_->call("PUT", "/api/me/secrets/PROJECT_TOKEN", R"({"value":"rotated"})").status,
            204);
  auto next = [&] {
    const auto opened = alice_->call("POST", "/api/workspaces/" + workspace + "/sessions");
    EXPECT_EQ(opened.status, 201) << opened.body;
    auto client = attach(workspace, text_of(opened.json, "id"));
    EXPECT_TRUE(client.wait_for_control("attached", 10s).is_object());
    EXPECT_TRUE(client.type("echo \"token=[${PROJECT_TOKEN:-gone}]\"\r"));
    return client;
  };
  auto rotated = next();
  EXPECT_TRUE(rotated.wait_for("token=[rotated]", 10s)) << rotated.output();
  ASSERT_EQ(alice_->call("DELETE", "/api/me/secrets/PROJECT_TOKEN").status, 204);
  auto deleted = next();
  EXPECT_TRUE(deleted.wait_for("token=[gone]", 10s)) << deleted.output();
}

TEST_F(session_test, refuses_secret_names_that_would_change_how_shells_run) {
  for (const auto* name : {"PATH", "LD_PRELOAD", "BASH_ENV", "HOME", "BERTH_ANYTHING"}) {
    const auto refused =
        alice_->call("PUT", std::string("/api/me/secrets/") + name, R"({"value":"x"})");
    EXPECT_EQ(refused.status, 422) << name;
    EXPECT_NE(refused.body.find("reserved"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(alice_->call("PUT", "/api/me/secrets/PATHFINDER_KEY", R"({"value":"x"})").status, 204);
}

TEST_F(session_test, wrong_passwords_from_one_address_do_not_lock_the_owner_out_of_another) {
  const std::string wrong = R"({"username":"ada","password":"a wrong guess"})";
  api_client attacker(*server_);
  attacker.connect_from("127.0.0.2");
  // Guess until the throttle answers: it engaged for the attacker's address.
  api_reply guessed;
  int guesses = 0;
  for (; guesses < 20 && guessed.status != 429; ++guesses) {
    guessed = attacker.call("POST", "/api/auth/login", wrong);
    if (guessed.status != 429) {
      ASSERT_EQ(guessed.status, 401) << guessed.body;
    }
  }
  ASSERT_EQ(guessed.status, 429) << "the attacker was never throttled";
  EXPECT_GE(guesses, 6);  // five wrong passwords cost nothing
  EXPECT_EQ(
      attacker.call("POST", "/api/auth/login", R"({"username":"ada","password":"ada-password"})")
          .status,
      429);  // from the attacker's address even the right password waits

  api_client owner(*server_);
  owner.connect_from("127.0.0.3");
  EXPECT_TRUE(owner.login("ada", "ada-password"));
  EXPECT_EQ(owner.call("GET", "/api/me").status, 200);
  // The failures are in the audit log with the attacker's address, the password nowhere.
  const auto failures = ada_->call("GET", "/api/audit?action=UserLoginFailed&limit=100");
  ASSERT_EQ(failures.status, 200);
  EXPECT_NE(failures.body.find("127.0.0.2"), std::string::npos) << failures.body;
  EXPECT_EQ(failures.body.find("a wrong guess"), std::string::npos);
}

}  // namespace
/// Sessions with room for 2 clients each and 4 terminals per user.
class terminal_limits_test : public session_test {
 protected:
  std::map<std::string, std::string> server_environment() const override {
    auto environment = session_test::server_environment();
    environment["BERTH_MAX_TERMINALS_PER_SESSION"] = "2";
    environment["BERTH_MAX_TERMINALS_PER_USER"] = "4";
    return environment;
  }
};

TEST_F(terminal_limits_test, a_member_holds_no_more_terminals_than_allowed) {
  const auto [workspace, session] = open_session();
  auto first = attach(workspace, session);
  auto second = attach(workspace, session);
  auto third = terminal_client::connect(server_->port(), workspace, session, alice_token_);
  ASSERT_TRUE(third) << third.error().status;  // the upgrade passed: the session refused it
  const auto refused = third->wait_for_control("error", 10s);
  ASSERT_FALSE(refused.is_null()) << "the third client of the session was not refused";
  EXPECT_EQ(text_of(refused, "code"), "too_many_clients");
  third->drain(2s);
  EXPECT_TRUE(third->socket().closed());
  EXPECT_EQ(third->socket().close_code(), 1008);
  // The two attached still work.
  ASSERT_TRUE(first.type("echo still-$((20+3))\n"));
  EXPECT_TRUE(first.wait_for("still-23", 10s));
  EXPECT_TRUE(second.wait_for("still-23", 10s));

  // Per user, across sessions: two more terminals make four; the fifth is refused before
  // the upgrade.
  const auto opened = alice_->call("POST", "/api/workspaces/" + workspace + "/sessions", "{}");
  ASSERT_EQ(opened.status, 201) << opened.body;
  const auto other = text_of(opened.json, "id");
  auto fourth = attach(workspace, other);
  auto fifth = attach(workspace, other);
  auto sixth = terminal_client::connect(server_->port(), workspace, other, alice_token_);
  ASSERT_FALSE(sixth) << "a fifth terminal of one user was accepted";
  EXPECT_EQ(sixth.error().status, 429);
  EXPECT_NE(sixth.error().body.find("too_many_terminals"), std::string::npos) << sixth.error().body;
  // Closing one frees its place.
  first.socket().close();
  bool reopened = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !reopened && std::chrono::steady_clock::now() < deadline;) {
    reopened =
        terminal_client::connect(server_->port(), workspace, other, alice_token_).has_value();
    if (!reopened) std::this_thread::sleep_for(50ms);  // polling a condition, not a wait
  }
  EXPECT_TRUE(reopened) << "a closed terminal's place was not given back";
}

}  // namespace berth::testing
