#include <gtest/gtest.h>

#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

struct route_case {
  std::string method, path, body;
  // Expected status for alice (owner), bob (other member), audrey (auditor), ada (admin),
  // and anonymous.
  int owner, other, auditor, admin, anonymous;
};

TEST_F(api_test, checks_ownership_on_every_workspace_route) {
  const auto id = text_of(create_workspace(*alice_, "private", false), "id");
  ASSERT_FALSE(id.empty());
  const auto at = "/api/workspaces/" + id;
  // The owner and the admin may change; an auditor only reads; another member sees nothing.
  // Lifecycle routes that would start a container are checked for refusals only.
  const std::vector<route_case> cases{
      {"GET", "/api/workspaces", "", 200, 200, 200, 200, 401},
      {"GET", "/api/workspaces?all=1", "", 403, 403, 200, 200, 401},
      {"GET", at, "", 200, 403, 200, 200, 401},
      {"PATCH", at, R"({"name":"renamed"})", 200, 403, 403, 200, 401},
      {"PUT", at + "/star", "", 200, 403, 403, 200, 401},
      {"DELETE", at + "/star", "", 200, 403, 403, 200, 401},
      {"POST", at + "/stop", "", 200, 403, 403, 200, 401},
      {"POST", at + "/start", "", 0, 403, 403, 0, 401},
      {"POST", at + "/restart", "", 0, 403, 403, 0, 401},
      {"POST", at + "/ensure", "", 0, 403, 403, 0, 401},
      {"GET", at + "/export", "", 409, 403, 409, 409, 401},
      {"DELETE", at, "", 0, 403, 403, 0, 401},
      {"POST", "/api/workspaces", R"({"name":"mine","start":false})", 201, 201, 403, 201, 401},
  };
  for (const auto& route : cases) {
    const std::vector<std::pair<api_client*, int>> callers{{alice_.get(), route.owner},
                                                           {bob_.get(), route.other},
                                                           {audrey_.get(), route.auditor},
                                                           {ada_.get(), route.admin},
                                                           {anonymous_.get(), route.anonymous}};
    const char* names[] = {"owner", "other member", "auditor", "admin", "anonymous"};
    for (std::size_t i = 0; i < callers.size(); ++i) {
      if (callers[i].second == 0) continue;
      const auto reply = callers[i].first->call(route.method, route.path, route.body);
      EXPECT_EQ(reply.status, callers[i].second)
          << route.method << " " << route.path << " as " << names[i] << ": " << reply.body;
    }
  }
  // Refusals changed nothing: the name is the owner's rename, not anyone else's.
  const auto mine = alice_->call("GET", at);
  EXPECT_EQ(text_of(mine.json, "name"), "renamed");
  const auto others = bob_->call("GET", "/api/workspaces");
  for (const auto& row : others.json.at("workspaces").as_array()) {
    EXPECT_NE(text_of(row, "id"), id) << "bob's list shows alice's workspace";
  }
  EXPECT_EQ(ada_->call("DELETE", at).status, 204);
}

TEST_F(api_test, accepts_bearer_tokens_and_refuses_bad_ones) {
  const auto created = alice_->call("POST", "/api/me/tokens", R"({"name":"script"})");
  ASSERT_EQ(created.status, 201) << created.body;
  api_client script(*server_);
  script.use_bearer(text_of(created.json, "token"));
  EXPECT_EQ(script.call("GET", "/api/workspaces").status, 200);
  api_client forged(*server_);
  forged.use_bearer("berth_AAAAAAAAAAAA_" + std::string(43, 'A'));
  EXPECT_EQ(forged.call("GET", "/api/workspaces").status, 401);
  api_client garbage(*server_);
  garbage.use_bearer("not a token at all");
  EXPECT_EQ(garbage.call("GET", "/api/workspaces").status, 401);
  api_client control(*server_);
  control.use_bearer("\x01\x02");  // not even a valid header value
  EXPECT_EQ(control.call("GET", "/api/workspaces").status, 400);
}

}  // namespace
}  // namespace berth::testing

namespace berth::testing {
namespace {

TEST_F(api_test, checks_roles_on_every_account_and_admin_route) {
  const auto bob_id = user_id_of(*bob_);
  const std::string limits =
      R"({"global":{"max_workspaces":0,"max_running":0,"memory_bytes":0,"nano_cpus":0,"pids":0},"per_user":{}})";
  // Statuses for a member, an auditor, an admin and anonymous callers.
  struct role_case {
    std::string method, path, body;
    int member, auditor, admin, anonymous;
  };
  const std::vector<role_case> cases{
      {"GET", "/api/me", "", 200, 200, 200, 401},
      {"GET", "/api/me/tokens", "", 200, 200, 200, 401},
      {"GET", "/api/me/secrets", "", 200, 200, 200, 401},
      {"GET", "/api/templates", "", 200, 200, 200, 401},
      {"GET", "/api/templates/default", "", 200, 200, 200, 401},
      {"GET", "/api/admin/users", "", 403, 200, 200, 401},
      {"PATCH", "/api/admin/users/" + bob_id, R"({"role":"member"})", 403, 403, 200, 401},
      {"GET", "/api/admin/limits", "", 403, 200, 200, 401},
      {"PUT", "/api/admin/limits", limits, 403, 403, 200, 401},
      {"POST", "/api/templates", R"({"name":"t","image":"busybox"})", 403, 403, 201, 401},
      {"DELETE", "/api/templates/default", "", 403, 403, 409, 401},
      {"POST", "/api/admin/users",
       R"({"username":"newbie","password":"long enough","role":"member"})", 403, 403, 201, 401},
  };
  for (const auto& route : cases) {
    const std::vector<std::pair<api_client*, int>> callers{{alice_.get(), route.member},
                                                           {audrey_.get(), route.auditor},
                                                           {ada_.get(), route.admin},
                                                           {anonymous_.get(), route.anonymous}};
    const char* names[] = {"member", "auditor", "admin", "anonymous"};
    for (std::size_t i = 0; i < callers.size(); ++i) {
      const auto reply = callers[i].first->call(route.method, route.path, route.body);
      EXPECT_EQ(reply.status, callers[i].second)
          << route.method << " " << route.path << " as " << names[i] << ": " << reply.body;
    }
  }
  EXPECT_EQ(anonymous_->call("POST", "/api/auth/login", R"({"username":"alice","password":"nope"})")
                .status,
            401);
  EXPECT_EQ(alice_->call("POST", "/api/auth/logout").status, 204);
  EXPECT_EQ(alice_->call("GET", "/api/workspaces").status, 401) << "the session was revoked";
}

}  // namespace
}  // namespace berth::testing
