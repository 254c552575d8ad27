// GET /api/audit/sessions and a session's recording as asciicast, from real terminal sessions
// of a real server (PostgreSQL and Docker).

#include <sstream>

#include <gtest/gtest.h>

#include "tests/api/audit_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::vector<json::value> cast_lines(const std::string& file) {
  std::vector<json::value> lines;
  std::istringstream in(file);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code failed;
    lines.push_back(json::parse(line, failed));
    EXPECT_FALSE(failed) << line;
  }
  return lines;
}

/// The `o` data of a cast, concatenated: the session's output as text.
std::string output_of(const std::vector<json::value>& lines) {
  std::string text;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& line = lines[i].as_array();
    if (line.at(1).as_string() == "o") text += std::string_view(line.at(2).as_string());
  }
  return text;
}

/// The session of `id` in `GET /api/audit/sessions<query>` as `client` sees it, or null.
json::value listed_session(api_client& client, const std::string& query, const std::string& id) {
  const auto reply = client.call("GET", "/api/audit/sessions" + query);
  EXPECT_EQ(reply.status, 200) << reply.body;
  if (reply.status != 200) return nullptr;
  for (const auto& session : reply.json.at("sessions").as_array()) {
    if (text_of(session, "id") == id) return session;
  }
  return nullptr;
}

TEST_F(audit_test, exports_a_session_as_asciicast_that_decodes_to_the_recorded_output) {
  const auto [workspace, session] = open_session();
  const auto path = "/api/workspaces/" + workspace + "/sessions/" + session;
  {
    auto client = attach(workspace, session);
    // printf writes the UTF-8 itself, so the typed command stays ASCII.
    ASSERT_TRUE(client.type("printf 'cast-%s caf\\303\\251 \\342\\230\\203\\n' $((6*7))\r"));
    ASSERT_TRUE(client.wait_for("cast-42 café ☃", 10s)) << client.output();
  }
  ASSERT_EQ(alice_->call("PATCH", path, R"({"name":"demo ☃"})").status, 200);
  ASSERT_EQ(alice_->call("DELETE", path).status, 200);
  auto replay = attach(workspace, session, 0);
  ASSERT_TRUE(replay.wait_for_control("exit", 10s).is_object());
  ASSERT_EQ(replay.start(), 0);
  const auto recorded = replay.output();

  const auto cast = alice_->call("GET", "/api/audit/sessions/" + session + "/cast");
  ASSERT_EQ(cast.status, 200) << cast.body;
  EXPECT_EQ(cast.header("content-type"), "application/x-asciicast");
  EXPECT_EQ(cast.header("content-disposition"),
            "attachment; filename=\"berth-session-" + session + ".cast\"");
  const auto lines = cast_lines(cast.body);
  ASSERT_GE(lines.size(), 2u) << cast.body;
  const auto& header = lines[0].as_object();
  EXPECT_EQ(header.at("version").as_int64(), 2);
  EXPECT_EQ(header.at("width").as_int64(), 80);
  EXPECT_EQ(header.at("height").as_int64(), 24);
  EXPECT_TRUE(header.at("timestamp").is_int64());
  EXPECT_EQ(header.at("title").as_string(), "demo ☃");
  EXPECT_EQ(header.at("env").at("TERM").as_string(), "xterm-256color");
  EXPECT_EQ(output_of(lines), recorded);
  EXPECT_NE(recorded.find("cast-42 café ☃"), std::string::npos);
  double previous = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto at = lines[i].as_array().at(0).to_number<double>();
    EXPECT_GE(at, previous) << "v2 times count from the start";
    previous = at;
  }

  EXPECT_EQ(bob_->call("GET", "/api/audit/sessions/" + session + "/cast").status, 403);
  EXPECT_EQ(audrey_->call("GET", "/api/audit/sessions/" + session + "/cast").status, 200);
  EXPECT_EQ(ada_->call("GET", "/api/audit/sessions/" + session + "/cast").status, 200);
  EXPECT_EQ(anonymous_->call("GET", "/api/audit/sessions/" + session + "/cast").status, 401);
  EXPECT_EQ(
      alice_->call("GET", "/api/audit/sessions/0190aaaa-0000-7000-8000-000000000000/cast").status,
      404);
  EXPECT_EQ(alice_->call("GET", "/api/audit/sessions/garbage/cast").status, 404);
  for (const char* query : {"?version=4", "?input=2", "?format=cast"}) {
    EXPECT_EQ(alice_->call("GET", "/api/audit/sessions/" + session + "/cast" + query).status, 422)
        << query;
  }
}

TEST_F(audit_test, exports_v3_with_intervals_input_and_the_exit_status) {
  const auto [workspace, session] = open_session(100, 30);
  {
    auto client = attach(workspace, session);
    ASSERT_TRUE(client.type("echo typed-$((2*21))\r"));
    ASSERT_TRUE(client.wait_for("typed-42", 10s));
    ASSERT_TRUE(client.type("exit 3\r"));
    ASSERT_TRUE(client.wait_for_control("exit", 15s).is_object());
  }
  // Typed input is for auditors: the owner may not read what others typed in their workspace.
  const auto target = "/api/audit/sessions/" + session + "/cast?version=3&input=1";
  EXPECT_EQ(alice_->call("GET", target).status, 403);
  const auto cast = audrey_->call("GET", target);
  ASSERT_EQ(cast.status, 200) << cast.body;
  const auto lines = cast_lines(cast.body);
  ASSERT_GE(lines.size(), 3u) << cast.body;
  const auto& header = lines[0].as_object();
  EXPECT_EQ(header.at("version").as_int64(), 3);
  EXPECT_EQ(json::serialize(header.at("term")),
            R"({"cols":100,"rows":30,"type":"xterm-256color"})");
  EXPECT_TRUE(header.at("timestamp").is_int64());
  EXPECT_FALSE(header.contains("width"));
  std::string typed;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& line = lines[i].as_array();
    EXPECT_GE(line.at(0).to_number<double>(), 0.0);
    if (line.at(1).as_string() == "i") typed += std::string_view(line.at(2).as_string());
  }
  EXPECT_NE(typed.find("echo typed-$((2*21))\r"), std::string::npos) << typed;
  EXPECT_EQ(json::serialize(lines.back()).substr(json::serialize(lines.back()).find(',')),
            R"(,"x","3"])");
  // Without input=1 there is no typed input.
  const auto plain = alice_->call("GET", "/api/audit/sessions/" + session + "/cast?version=3");
  for (const auto& line : cast_lines(plain.body)) {
    if (line.is_array()) {
      EXPECT_NE(line.as_array().at(1).as_string(), "i");
    }
  }
}

TEST_F(audit_test, lists_sessions_newest_first_to_those_who_may_see_them) {
  const auto [workspace, first] = open_session();
  const auto base = "/api/workspaces/" + workspace + "/sessions";
  const auto second = text_of(alice_->call("POST", base).json, "id");
  const auto third = text_of(alice_->call("POST", base).json, "id");
  ASSERT_EQ(alice_->call("PATCH", base + "/" + first, R"({"name":"first one"})").status, 200);
  ASSERT_EQ(alice_->call("DELETE", base + "/" + first).status, 200);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto listed = listed_session(*alice_, "", first);
        return listed.is_object() && text_of(listed, "state") == "closed" &&
               text_of(listed, "name") == "first one";
      },
      10s));

  const auto closed = listed_session(*alice_, "", first);
  EXPECT_EQ(text_of(closed, "workspace_id"), workspace);
  EXPECT_EQ(text_of(closed, "workspace_name"), "terminal");
  EXPECT_EQ(text_of(closed, "username"), "alice");
  EXPECT_EQ(text_of(closed, "user_id"), user_id_of(*alice_));
  EXPECT_EQ(text_of(closed, "close_reason"), "closed_by_user");
  EXPECT_TRUE(closed.at("closed_ms").is_int64());
  EXPECT_TRUE(closed.at("exit_status").is_null());
  EXPECT_EQ(closed.at("cols").as_int64(), 80);
  EXPECT_TRUE(closed.at("output_bytes").is_int64());
  const auto open = listed_session(*alice_, "", third);
  ASSERT_TRUE(open.is_object());
  EXPECT_EQ(text_of(open, "state"), "open");
  EXPECT_TRUE(open.at("closed_ms").is_null());
  EXPECT_TRUE(open.at("close_reason").is_null());

  EXPECT_TRUE(listed_session(*bob_, "", first).is_null());
  EXPECT_TRUE(listed_session(*bob_, "?workspace=" + workspace, first).is_null());
  EXPECT_TRUE(listed_session(*audrey_, "?user=alice", first).is_object());
  EXPECT_TRUE(listed_session(*ada_, "?workspace=" + workspace, first).is_object());
  EXPECT_TRUE(listed_session(*audrey_, "?user=bob", first).is_null());

  // One per page, newest first, each once.
  std::vector<std::string> paged;
  std::string query = "?workspace=" + workspace + "&limit=1";
  for (int page = 0; page < 10; ++page) {
    const auto reply = audrey_->call("GET", "/api/audit/sessions" + query);
    ASSERT_EQ(reply.status, 200) << reply.body;
    for (const auto& session : reply.json.at("sessions").as_array())
      paged.push_back(text_of(session, "id"));
    if (reply.json.at("next_before").is_null()) break;
    query = "?workspace=" + workspace +
            "&limit=1&before=" + std::to_string(reply.json.at("next_before").as_int64());
  }
  EXPECT_EQ(paged, (std::vector<std::string>{third, second, first}));

  // The session's own rows belong to the workspace in the log.
  ASSERT_TRUE(wait_for_entry(*alice_, "SessionClosed", first));
  const auto of_workspace = entries(*alice_, "?workspace=" + workspace);
  for (const char* action : {"SessionOpened", "SessionRenamed", "SessionClosed"}) {
    const auto entry = find_entry(of_workspace, action, first);
    ASSERT_TRUE(entry.is_object()) << action;
    EXPECT_EQ(text_of(entry, "workspace_id"), workspace);
    EXPECT_EQ(text_of(entry, "resource_type"), "session");
  }
  EXPECT_FALSE(contains(entries(*bob_, "?limit=500"), "SessionOpened", first));
}

}  // namespace
}  // namespace berth::testing
