#include "tests/api/session_fixture.hpp"

#include <stdexcept>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace berth::testing {

std::map<std::string, std::string> session_test::server_environment() const {
  auto environment = api_test::server_environment();
  environment["BERTH_SESSION_GRACE"] = "4s";
  environment["BERTH_SESSION_REPLAY_LIMIT"] = "16384";
  environment["BERTH_MAX_SESSIONS_PER_WORKSPACE"] = "3";
  return environment;
}

std::string session_test::token_of(const std::string& username) {
  api_client client(*server_);
  const auto reply = client.call("POST", "/api/auth/login",
                                 R"({"username":")" + username + R"(","password":")" + username +
                                     R"(-password","token":true})");
  EXPECT_EQ(reply.status, 200) << reply.body;
  return text_of(reply.json, "token");
}

std::pair<std::string, std::string> session_test::open_session(int cols, int rows) {
  const auto workspace = text_of(create_workspace(*alice_, "terminal", true), "id");
  const auto opened = alice_->call(
      "POST", "/api/workspaces/" + workspace + "/sessions",
      R"({"cols":)" + std::to_string(cols) + R"(,"rows":)" + std::to_string(rows) + "}");
  EXPECT_EQ(opened.status, 201) << opened.body << server_->output();
  if (alice_token_.empty()) alice_token_ = token_of("alice");
  return {workspace, text_of(opened.json, "id")};
}

terminal_client session_test::attach(const std::string& workspace_id, const std::string& session_id,
                                     std::optional<std::int64_t> from) {
  auto client =
      terminal_client::connect(server_->port(), workspace_id, session_id, alice_token_, from);
  if (!client) {
    // An exception ends the test with this message (gtest catches it).
    throw std::runtime_error("terminal refused: " + std::to_string(client.error().status) + " " +
                             client.error().body + " " + client.error().error);
  }
  return std::move(*client);
}

boost::json::value session_test::session_of(const std::string& workspace_id,
                                            const std::string& session_id) {
  return alice_->call("GET", "/api/workspaces/" + workspace_id + "/sessions/" + session_id).json;
}

std::int64_t session_test::print_24_megabytes(const std::string& workspace_id,
                                              const std::string& session_id) {
  using namespace std::chrono_literals;
  auto client = attach(workspace_id, session_id);
  EXPECT_TRUE(
      client.type("head -c 24000000 /dev/zero | tr '\\0' a | fold -w 100; "
                  "echo printed-$((40+2))\r"));
  EXPECT_TRUE(client.wait_for("printed-42\r\n", 120s));
  const auto end = client.end();
  EXPECT_TRUE(
      wait_until([&] { return output_recorded_end(url(), "session-" + session_id) >= end; }, 30s));
  return end;
}

namespace {

/// `aggregate` over a stream's OutputRecorded events.
std::int64_t over_output_recorded(const std::string& url, const std::string& aggregate,
                                  const std::string& stream) {
  pqxx::connection connection(url);
  pqxx::nontransaction query(connection);
  return query
      .exec_params1("SELECT coalesce(" + aggregate +
                        ", 0) FROM es_events WHERE stream_id = $1 AND event_type = "
                        "'OutputRecorded'",
                    stream)[0]
      .as<std::int64_t>();
}

}  // namespace

std::int64_t output_recorded_end(const std::string& url, const std::string& stream) {
  return over_output_recorded(url, "max((data->>'offset')::bigint + (data->>'length')::bigint)",
                              stream);
}

std::int64_t output_recorded_bytes(const std::string& url, const std::string& stream) {
  // Sizes from the TOAST headers: no body is decompressed.
  return over_output_recorded(url, "sum(octet_length(body))", stream);
}

}  // namespace berth::testing
