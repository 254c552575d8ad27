// Behind a reverse proxy (`--trusted-proxy`): the client's address and scheme come from the
// proxy's X-Forwarded-For and X-Forwarded-Proto, and a caller's trace from its `traceparent`,
// from nobody else. The proxy is played by
// a client connecting from 127.0.0.1; a stranger connects from 127.0.0.2 with the same
// headers.

#include <gtest/gtest.h>

#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

class trusted_proxy_test : public api_test {
 protected:
  std::map<std::string, std::string> server_environment() const override {
    auto environment = api_test::server_environment();
    environment["BERTH_TRUSTED_PROXY"] = "127.0.0.1";
    return environment;
  }

  /// Logs in as `username` with `password` through `via`, which forwards for `client`.
  api_reply log_in(const api_client& via, const std::string& client, const std::string& username,
                   const std::string& password) {
    return via.call(
        "POST", "/api/auth/login",
        R"({"username":")" + username + R"(","password":")" + password + R"("})",
        "X-Forwarded-For: 198.51.100.1, " + client + "\r\nX-Forwarded-Proto: https\r\n");
  }
};

TEST_F(trusted_proxy_test, takes_the_clients_address_and_scheme_from_the_proxy_only) {
  api_client proxy(*server_);
  const auto forwarded = log_in(proxy, "203.0.113.7", "alice", "alice-password");
  ASSERT_EQ(forwarded.status, 200) << forwarded.body;
  EXPECT_NE(forwarded.header("set-cookie").find("; Secure"), std::string::npos)
      << forwarded.header("set-cookie");
  EXPECT_EQ(forwarded.header("strict-transport-security"), "max-age=31536000");

  api_client stranger(*server_);
  stranger.connect_from("127.0.0.2");
  const auto forged = log_in(stranger, "203.0.113.8", "bob", "bob-password");
  ASSERT_EQ(forged.status, 200) << forged.body;
  EXPECT_EQ(forged.header("set-cookie").find("Secure"), std::string::npos);
  EXPECT_EQ(forged.header("strict-transport-security"), "");

  // The logins as recorded: the proxy's client, and the stranger as it connected.
  std::string logins;
  EXPECT_TRUE(wait_until(
      [&] {
        logins = ada_->call("GET", "/api/audit?action=UserLoggedIn&limit=100").body;
        return logins.find("203.0.113.7") != std::string::npos &&
               logins.find("127.0.0.2") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << logins;
  EXPECT_EQ(logins.find("203.0.113.8"), std::string::npos) << "a stranger's header believed";
  EXPECT_EQ(logins.find("198.51.100.1"), std::string::npos) << "a client's own entry believed";
}

TEST_F(trusted_proxy_test, continues_the_callers_trace_only_through_the_proxy) {
  const auto id = text_of(create_workspace(*alice_, "traced", false), "id");
  const std::string caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string traceparent = "traceparent: 00-" + caller_trace + "-00f067aa0ba902b7-01\r\n";
  // alice_ connects from 127.0.0.1, the trusted proxy; the stranger from 127.0.0.2.
  ASSERT_EQ(alice_->call("PATCH", "/api/workspaces/" + id, R"({"name":"one"})", traceparent).status,
            200);
  api_client stranger(*server_);
  stranger.connect_from("127.0.0.2");
  ASSERT_TRUE(stranger.login("alice", "alice-password"));
  const auto forged =
      stranger.call("PATCH", "/api/workspaces/" + id, R"({"name":"two"})", traceparent);
  ASSERT_EQ(forged.status, 200) << forged.body;
  EXPECT_EQ(forged.header("traceparent").find(caller_trace), std::string::npos)
      << "the server's span took the stranger's trace";
  EXPECT_TRUE(wait_until(
      [&] {
        const auto rows =
            shell("psql -Atq '" + url() + "' -c \"SELECT remote_address, trace_id = '" +
                  caller_trace + "' FROM rm_audit_log WHERE resource_id = '" + id +
                  "' AND action = 'WorkspaceRenamed' ORDER BY global_pos\"");
        return rows && *rows == "127.0.0.1|t\n127.0.0.2|f\n";
      },
      std::chrono::seconds(10)))
      << shell("psql -Atq '" + url() + "' -c 'SELECT * FROM rm_audit_log'").value_or("");
}

TEST_F(trusted_proxy_test, one_clients_wrong_passwords_do_not_throttle_another_behind_the_proxy) {
  api_client proxy(*server_);
  // Guess from one client until the throttle answers: it engaged for that client's address.
  api_reply guessed;
  int guesses = 0;
  for (; guesses < 20 && guessed.status != 429; ++guesses) {
    guessed = log_in(proxy, "203.0.113.7", "ada", "a wrong guess");
    if (guessed.status != 429) {
      ASSERT_EQ(guessed.status, 401) << guessed.body;
    }
  }
  ASSERT_EQ(guessed.status, 429) << "the guessing client was never throttled";
  EXPECT_EQ(log_in(proxy, "203.0.113.7", "ada", "ada-password").status, 429);
  // Another client of the same proxy logs in: without the forwarded address both would be
  // the proxy's, and share the throttle.
  EXPECT_EQ(log_in(proxy, "203.0.113.8", "ada", "ada-password").status, 200);
}

}  // namespace
}  // namespace berth::testing
