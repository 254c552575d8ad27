// Session names (a terminal tab's title) over the real API: who may rename, what a name may
// hold, and that every session JSON carries it.

#include <gtest/gtest.h>

#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

bool has_name(const boost::json::value& session) {
  return session.is_object() && session.as_object().contains("name") &&
         session.at("name").is_string();
}

TEST_F(session_test, shows_an_empty_name_until_a_session_is_named) {
  const auto [workspace, session] = open_session();
  const auto created = alice_->call("POST", "/api/workspaces/" + workspace + "/sessions");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(has_name(created.json)) << created.body;
  EXPECT_EQ(text_of(created.json, "name"), "");
  const auto fetched = session_of(workspace, session);
  EXPECT_TRUE(has_name(fetched)) << fetched;
  const auto listed = alice_->call("GET", "/api/workspaces/" + workspace + "/sessions");
  ASSERT_EQ(listed.status, 200);
  for (const auto& row : listed.json.at("sessions").as_array()) {
    EXPECT_TRUE(has_name(row)) << row;
    EXPECT_EQ(text_of(row, "name"), "");
  }
}

TEST_F(session_test, renames_a_session_for_its_owner_and_admins_only) {
  const auto [workspace, session] = open_session();
  const auto path = "/api/workspaces/" + workspace + "/sessions/" + session;
  const auto renamed = alice_->call("PATCH", path, R"({"name":"build ☃"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(text_of(renamed.json, "id"), session);
  EXPECT_EQ(text_of(renamed.json, "name"), "build ☃");
  EXPECT_EQ(text_of(renamed.json, "state"), "open");
  EXPECT_EQ(text_of(session_of(workspace, session), "name"), "build ☃");
  EXPECT_TRUE(wait_until(
      [&] {
        const auto listed = alice_->call("GET", "/api/workspaces/" + workspace + "/sessions");
        return listed.status == 200 &&
               text_of(listed.json.at("sessions").as_array().at(0), "name") == "build ☃";
      },
      10s));

  EXPECT_EQ(bob_->call("PATCH", path, R"({"name":"mine now"})").status, 403);
  EXPECT_EQ(audrey_->call("PATCH", path, R"({"name":"audited"})").status, 403);
  EXPECT_EQ(anonymous_->call("PATCH", path, R"({"name":"who"})").status, 401);
  const auto by_admin = ada_->call("PATCH", path, R"({"name":"renamed by ada"})");
  EXPECT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(text_of(session_of(workspace, session), "name"), "renamed by ada");
  EXPECT_EQ(
      alice_
          ->call("PATCH",
                 "/api/workspaces/" + workspace + "/sessions/0190aaaa-0000-7000-8000-000000000000",
                 R"({"name":"ghost"})")
          .status,
      404);
}

TEST_F(session_test, refuses_names_that_are_empty_too_long_or_hold_control_characters) {
  const auto [workspace, session] = open_session();
  const auto path = "/api/workspaces/" + workspace + "/sessions/" + session;
  for (const auto& body : std::vector<std::string>{
           R"({"name":""})", R"({"name":")" + std::string(65, 'x') + R"("})",
           R"({"name":")" + std::string(300, 'x') + R"("})", R"({"name":"bell\u0007"})",
           R"({"name":"two\nlines"})", R"({"name":"c1\u0085"})", R"({"name":5})", R"({})",
           R"({"name":"ok","colour":"red"})"}) {
    const auto refused = alice_->call("PATCH", path, body);
    EXPECT_EQ(refused.status, 422) << body << " " << refused.body;
    EXPECT_EQ(refused.error_code(), "invalid") << body;
  }
  EXPECT_EQ(alice_->call("PATCH", path, "{").status, 400);
  EXPECT_EQ(text_of(session_of(workspace, session), "name"), "");
  const auto longest = std::string(60, 'x') + "☃☃☃☃";  // 64 characters, 72 bytes
  const auto accepted = alice_->call("PATCH", path, R"({"name":")" + longest + R"("})");
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(text_of(accepted.json, "name"), longest);
}

TEST_F(session_test, renames_a_closed_session) {
  const auto [workspace, session] = open_session();
  const auto path = "/api/workspaces/" + workspace + "/sessions/" + session;
  ASSERT_EQ(alice_->call("DELETE", path).status, 200);
  const auto renamed = alice_->call("PATCH", path, R"({"name":"after the end"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(text_of(renamed.json, "state"), "closed");
  EXPECT_EQ(text_of(renamed.json, "name"), "after the end");
  // A restart brings back open sessions only: a rename after the close keeps it closed.
  server_->kill_hard();
  ASSERT_TRUE(server_->start());
  EXPECT_NE(server_->output().find(
                R"("msg":"terminal sessions recovering","logger":"app.serve","sessions":0)"),
            std::string::npos)
      << server_->output();
  const auto after = session_of(workspace, session);
  EXPECT_EQ(text_of(after, "state"), "closed") << after;
  EXPECT_EQ(text_of(after, "name"), "after the end");
}

}  // namespace
}  // namespace berth::testing
