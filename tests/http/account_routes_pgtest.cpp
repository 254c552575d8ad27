// The account and admin routes driven through the router, with a real account service on a
// scratch database (no sockets: dispatch is what the server calls per request).
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "http/api.hpp"
#include "tests/accounts/accounts_fixture.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;
using accounts::role;

enum class caller { anonymous, member, auditor, admin };

std::string header_of(const response& out, const std::string& name) {
  for (const auto& [key, value] : out.headers) {
    if (key == name) return value;
  }
  return {};
}

json::object body_of(const response& out) {
  boost::system::error_code ec;
  auto value = json::parse(out.body, ec);
  EXPECT_FALSE(ec) << out.body;
  return !ec && value.is_object() ? value.as_object() : json::object{};
}

class account_routes_pgtest : public accounts::testing::accounts_fixture {
 protected:
  void SetUp() override {
    accounts_fixture::SetUp();
    if (HasFatalFailure()) return;
    services_ = std::make_unique<api_services>(api_services{accounts(), nullptr, nullptr, false});
    add_account_routes(routes_, *services_);
    add_admin_routes(routes_, *services_);
    for (const auto& [who, name, r] : {std::tuple{caller::member, "max", role::member},
                                       std::tuple{caller::auditor, "audrey", role::auditor},
                                       std::tuple{caller::admin, "root", role::admin}}) {
      const auto created = make_user(name, r);
      users_[who] = created;
      auto token = accounts().create_token(created.id, "test", 0, admin_context());
      ASSERT_TRUE(token);
      bearer_[who] = token->second;
    }
  }

  response call(caller who, const std::string& method, const std::string& target,
                const std::string& body = "") {
    request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "198.51.100.7";
    if (who != caller::anonymous)
      req.headers.emplace_back("authorization", "Bearer " + bearer_[who]);
    return routes_.dispatch(req);
  }

  response with_cookie(const std::string& cookie, const std::string& method,
                       const std::string& target, const std::string& body = "") {
    request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "198.51.100.7";
    req.headers.emplace_back("cookie", "theme=dark; " + cookie);
    return routes_.dispatch(req);
  }

  /// `berth_session=<jwt>` from a login response's Set-Cookie.
  static std::string session_pair(const response& out) {
    const auto cookie = header_of(out, "Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  }

  std::string events() { return query("SELECT count(*) FROM es_events"); }

  router routes_;
  std::unique_ptr<api_services> services_;
  std::map<caller, accounts::user> users_;
  std::map<caller, std::string> bearer_;
};

TEST_F(account_routes_pgtest, login_sets_an_http_only_cookie_that_authenticates_until_logout) {
  const auto out = call(caller::anonymous, "POST", "/api/auth/login",
                        R"({"username":"max","password":"password-max"})");
  ASSERT_EQ(out.status, 200) << out.body;
  const auto body = body_of(out);
  EXPECT_EQ(body.at("user").at("username"), "max");
  EXPECT_EQ(body.at("user").at("role"), "member");
  EXPECT_TRUE(body.at("expires_ms").is_int64());
  EXPECT_FALSE(body.contains("token"));
  const auto cookie = header_of(out, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("berth_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  const auto max_age = cookie.find("; Max-Age=");
  ASSERT_NE(max_age, std::string::npos) << cookie;
  const auto max_age_s = std::stol(cookie.substr(max_age + 10));
  EXPECT_GT(max_age_s, 12 * 3600 - 60);
  EXPECT_LE(max_age_s, 12 * 3600);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);

  const auto me = with_cookie(session_pair(out), "GET", "/api/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body_of(me).at("username"), "max");
  EXPECT_EQ(body_of(me).at("id").as_string(), users_[caller::member].id);

  const auto logout = with_cookie(session_pair(out), "POST", "/api/auth/logout");
  EXPECT_EQ(logout.status, 204);
  EXPECT_NE(header_of(logout, "Set-Cookie").find("berth_session=; HttpOnly"), std::string::npos);
  EXPECT_NE(header_of(logout, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(with_cookie(session_pair(out), "GET", "/api/me").status, 401);
}

TEST_F(account_routes_pgtest, login_can_return_a_bearer_token) {
  const auto out = call(caller::anonymous, "POST", "/api/auth/login",
                        R"({"username":"audrey","password":"password-audrey","token":true})");
  ASSERT_EQ(out.status, 200) << out.body;
  bearer_[caller::anonymous] = std::string(body_of(out).at("token").as_string());
  request req;
  req.method = "GET";
  req.target = "/api/me";
  req.headers.emplace_back("authorization", "Bearer " + bearer_[caller::anonymous]);
  const auto me = routes_.dispatch(req);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(body_of(me).at("role"), "auditor");
}

TEST_F(account_routes_pgtest, secure_cookies_are_marked_secure) {
  api_services secure{accounts(), nullptr, nullptr, true};
  router routes;
  add_account_routes(routes, secure);
  request req;
  req.method = "POST";
  req.target = "/api/auth/login";
  req.body = R"({"username":"max","password":"password-max"})";
  const auto out = routes.dispatch(req);
  ASSERT_EQ(out.status, 200);
  EXPECT_NE(header_of(out, "Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(account_routes_pgtest, refuses_wrong_passwords_then_throttles_with_retry_after) {
  // Five failures are free, then the waits double from 1 s: a refusal soon comes, since
  // the test guesses faster than the waits grow.
  response out;
  for (int attempt = 0; attempt < 20 && out.status != 429; ++attempt) {
    out = call(caller::anonymous, "POST", "/api/auth/login",
               R"({"username":"max","password":"wrong-password"})");
    if (out.status != 429) {
      EXPECT_EQ(out.status, 401) << attempt;
    }
    EXPECT_TRUE(header_of(out, "Set-Cookie").empty());
  }
  ASSERT_EQ(out.status, 429);
  EXPECT_GE(std::stoi(header_of(out, "Retry-After")), 1);
  EXPECT_EQ(body_of(out).at("error").at("code"), "rate_limited");
}

TEST_F(account_routes_pgtest, anonymous_callers_get_401_everywhere_but_login) {
  const std::vector<std::pair<std::string, std::string>> routes{
      {"POST", "/api/auth/logout"},
      {"GET", "/api/me"},
      {"POST", "/api/me/password"},
      {"GET", "/api/me/tokens"},
      {"POST", "/api/me/tokens"},
      {"DELETE", "/api/me/tokens/x"},
      {"GET", "/api/me/secrets"},
      {"PUT", "/api/me/secrets/API_KEY"},
      {"DELETE", "/api/me/secrets/API_KEY"},
      {"GET", "/api/admin/users"},
      {"POST", "/api/admin/users"},
      {"PATCH", "/api/admin/users/x"},
      {"GET", "/api/templates"},
      {"GET", "/api/templates/default"},
      {"POST", "/api/templates"},
      {"PUT", "/api/templates/default"},
      {"DELETE", "/api/templates/default"},
      {"GET", "/api/admin/limits"},
      {"PUT", "/api/admin/limits"}};
  for (const auto& [method, path] : routes) {
    const auto out = call(caller::anonymous, method, path, "{}");
    EXPECT_EQ(out.status, 401) << method << " " << path;
    EXPECT_EQ(body_of(out).at("error").at("code"), "unauthenticated") << method << " " << path;
  }
  request forged;
  forged.method = "GET";
  forged.target = "/api/me";
  forged.headers.emplace_back("authorization", "Bearer berth_forged");
  EXPECT_EQ(routes_.dispatch(forged).status, 401);
}

/// Admin-only writes, each valid as an admin would send it.
std::vector<std::tuple<std::string, std::string, std::string>> admin_writes(
    const std::string& user_id) {
  return {
      {"POST", "/api/admin/users", R"({"username":"new","password":"long-password"})"},
      {"PATCH", "/api/admin/users/" + user_id, R"({"role":"admin"})"},
      {"POST", "/api/templates", R"({"name":"Python","image":"berth/python:3"})"},
      {"PUT", "/api/templates/default", R"({"image":"berth/other:1"})"},
      {"DELETE", "/api/templates/default", ""},
      {"PUT", "/api/admin/limits", R"({"global":{"max_workspaces":3}})"},
  };
}

TEST_F(account_routes_pgtest, members_and_auditors_get_403_on_admin_writes_and_change_nothing) {
  ASSERT_EQ(call(caller::admin, "GET", "/api/templates").status, 200);  // creates `default`
  const auto before = events();
  for (const auto who : {caller::member, caller::auditor}) {
    for (const auto& [method, path, body] : admin_writes(users_[caller::member].id)) {
      const auto out = call(who, method, path, body);
      EXPECT_EQ(out.status, 403) << method << " " << path;
      EXPECT_EQ(body_of(out).at("error").at("code"), "forbidden");
    }
  }
  EXPECT_EQ(events(), before);
  EXPECT_EQ(body_of(call(caller::admin, "GET", "/api/templates/default")).at("image"),
            "berth-workspace:test");
}

TEST_F(account_routes_pgtest, members_get_403_on_admin_reads_and_auditors_and_admins_200) {
  for (const auto& path : {"/api/admin/users", "/api/admin/limits"}) {
    EXPECT_EQ(call(caller::member, "GET", path).status, 403) << path;
    EXPECT_EQ(call(caller::auditor, "GET", path).status, 200) << path;
    EXPECT_EQ(call(caller::admin, "GET", path).status, 200) << path;
  }
  const auto users = body_of(call(caller::auditor, "GET", "/api/admin/users"));
  ASSERT_EQ(users.at("users").as_array().size(), 3u);
  const auto& first = users.at("users").as_array()[0].as_object();
  EXPECT_EQ(first.at("username"), "audrey");
  EXPECT_FALSE(first.contains("password"));
  EXPECT_EQ(first.at("disabled"), false);
}

TEST_F(account_routes_pgtest, every_role_reads_templates) {
  for (const auto who : {caller::member, caller::auditor, caller::admin}) {
    const auto list = call(who, "GET", "/api/templates");
    ASSERT_EQ(list.status, 200);
    const auto listed = body_of(list);
    const auto& first = listed.at("templates").as_array().at(0).as_object();
    EXPECT_EQ(first.at("id"), "default");
    EXPECT_EQ(first.at("limits").at("pids"), 512);
    // Template configuration may hold an admin's credentials: values for admins only.
    EXPECT_EQ(first.contains("env"), who == caller::admin);
    EXPECT_EQ(first.contains("env_names"), who != caller::admin);
    EXPECT_EQ(call(who, "GET", "/api/templates/default").status, 200);
    EXPECT_EQ(call(who, "GET", "/api/templates/missing").status, 404);
  }
}

TEST_F(account_routes_pgtest, admins_manage_users_templates_and_limits) {
  const auto created = call(caller::admin, "POST", "/api/admin/users",
                            R"({"username":"dev","password":"a long passphrase","role":"member"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string dev_id(body_of(created).at("id").as_string());
  EXPECT_EQ(call(caller::admin, "POST", "/api/admin/users",
                 R"({"username":"dev","password":"a long passphrase"})")
                .status,
            409);
  const auto patched =
      call(caller::admin, "PATCH", "/api/admin/users/" + dev_id,
           R"({"role":"auditor","disabled":true,"password":"another passphrase"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(body_of(patched).at("role"), "auditor");
  EXPECT_EQ(body_of(patched).at("disabled"), true);
  EXPECT_EQ(call(caller::anonymous, "POST", "/api/auth/login",
                 R"({"username":"dev","password":"another passphrase"})")
                .status,
            401);
  EXPECT_EQ(call(caller::admin, "PATCH", "/api/admin/users/nobody", R"({"role":"admin"})").status,
            404);

  const auto python =
      call(caller::admin, "POST", "/api/templates",
           R"({"name":"Python","image":"berth/python:3","limits":{"pids":64},)"
           R"("env":{"PIP_INDEX_URL":"https://pypi.example"},"sudo_allowed":true})");
  ASSERT_EQ(python.status, 201) << python.body;
  const std::string python_id(body_of(python).at("id").as_string());
  EXPECT_EQ(body_of(python).at("limits").at("pids"), 64);
  const auto seen_by_member = body_of(call(caller::member, "GET", "/api/templates/" + python_id));
  EXPECT_EQ(json::serialize(seen_by_member.at("env_names")), R"(["PIP_INDEX_URL"])");
  EXPECT_FALSE(seen_by_member.contains("env"));
  const auto updated = call(caller::admin, "PUT", "/api/templates/" + python_id,
                            R"({"image":"berth/python:4","idle_timeout_s":0})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(body_of(updated).at("image"), "berth/python:4");
  EXPECT_EQ(body_of(updated).at("name"), "Python");
  EXPECT_EQ(body_of(updated).at("sudo_allowed"), true);
  EXPECT_EQ(call(caller::admin, "DELETE", "/api/templates/" + python_id).status, 204);
  EXPECT_EQ(call(caller::admin, "GET", "/api/templates/" + python_id).status, 404);
  EXPECT_EQ(call(caller::admin, "DELETE", "/api/templates/default").status, 409);

  const auto limits = R"({"global":{"max_workspaces":10,"max_running":3,"memory_bytes":0,)"
                      R"("nano_cpus":0,"pids":0},"per_user":{")" +
                      dev_id +
                      R"(":{"max_workspaces":20,"max_running":0,"memory_bytes":0,"nano_cpus":0,)"
                      R"("pids":0}}})";
  const auto set = call(caller::admin, "PUT", "/api/admin/limits", limits);
  ASSERT_EQ(set.status, 200) << set.body;
  const auto read = call(caller::auditor, "GET", "/api/admin/limits");
  EXPECT_EQ(json::serialize(body_of(read)), json::serialize(body_of(set)));
  EXPECT_EQ(body_of(read).at("per_user").at(dev_id).at("max_workspaces"), 20);
  // The token and secret quotas, left out, keep their defaults.
  EXPECT_EQ(*accounts().effective_quota(dev_id),
            (accounts::quota{20, 3, 0, 0, 0, accounts::default_quota.max_tokens,
                             accounts::default_quota.max_secrets}));
}

TEST_F(account_routes_pgtest, refuses_tokens_and_secrets_beyond_the_users_quota) {
  const auto& dev_id = users_[caller::member].id;
  const auto fresh = body_of(call(caller::auditor, "GET", "/api/admin/limits"));
  EXPECT_EQ(fresh.at("global").at("max_tokens"), accounts::default_quota.max_tokens);
  EXPECT_EQ(fresh.at("global").at("max_workspaces"), accounts::default_quota.max_workspaces);
  const auto limits =
      R"({"global":{},"per_user":{")" + dev_id + R"(":{"max_tokens":2,"max_secrets":1}}})";
  ASSERT_EQ(call(caller::admin, "PUT", "/api/admin/limits", limits).status, 200);

  // The fixture's token, with which the member calls, is the first of two.
  ASSERT_EQ(call(caller::member, "POST", "/api/me/tokens", R"({"name":"one"})").status, 201);
  const auto second = call(caller::member, "POST", "/api/me/tokens", R"({"name":"two"})");
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(body_of(second).at("error").at("code"), "quota_exceeded");
  EXPECT_EQ(body_of(call(caller::member, "GET", "/api/me/tokens")).at("tokens").as_array().size(),
            2u);

  ASSERT_EQ(call(caller::member, "PUT", "/api/me/secrets/ONE", R"({"value":"1"})").status, 204);
  EXPECT_EQ(call(caller::member, "PUT", "/api/me/secrets/ONE", R"({"value":"2"})").status, 204);
  const auto other = call(caller::member, "PUT", "/api/me/secrets/TWO", R"({"value":"2"})");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(body_of(other).at("error").at("code"), "quota_exceeded");
  // The admin's own quota is the global one: their second token is fine.
  EXPECT_EQ(call(caller::admin, "POST", "/api/me/tokens", R"({"name":"a"})").status, 201);
  EXPECT_EQ(call(caller::admin, "POST", "/api/me/tokens", R"({"name":"b"})").status, 201);
}

TEST_F(account_routes_pgtest, every_role_manages_its_own_password_tokens_and_secrets) {
  for (const auto who : {caller::member, caller::auditor, caller::admin}) {
    const auto me = call(who, "GET", "/api/me");
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(body_of(me).at("id").as_string(), users_[who].id);

    const auto token = call(who, "POST", "/api/me/tokens", R"({"name":"ci"})");
    ASSERT_EQ(token.status, 201) << token.body;
    const std::string token_id(body_of(token).at("id").as_string());
    EXPECT_EQ(std::string(body_of(token).at("token").as_string()).rfind("berth_", 0), 0u);
    const auto tokens = body_of(call(who, "GET", "/api/me/tokens")).at("tokens").as_array();
    EXPECT_EQ(tokens.size(), 2u);
    EXPECT_FALSE(tokens[0].as_object().contains("token"));
    EXPECT_EQ(call(who, "DELETE", "/api/me/tokens/" + token_id).status, 204);
    EXPECT_EQ(call(who, "DELETE", "/api/me/tokens/" + token_id).status, 404);

    EXPECT_EQ(call(who, "PUT", "/api/me/secrets/API_KEY", R"({"value":"sk-123"})").status, 204);
    const auto secrets = call(who, "GET", "/api/me/secrets");
    EXPECT_EQ(json::serialize(body_of(secrets)), R"({"secrets":["API_KEY"]})");
    EXPECT_EQ(secrets.body.find("sk-123"), std::string::npos);
    EXPECT_EQ(call(who, "DELETE", "/api/me/secrets/API_KEY").status, 204);
    EXPECT_EQ(call(who, "DELETE", "/api/me/secrets/API_KEY").status, 404);

    const auto changed = call(who, "POST", "/api/me/password",
                              R"({"current_password":"password-)" + users_[who].username +
                                  R"(","password":"a fresh passphrase"})");
    EXPECT_EQ(changed.status, 204) << changed.body;
    EXPECT_EQ(call(who, "GET", "/api/me").status, 200);  // tokens outlive it unless asked
  }
}

TEST_F(account_routes_pgtest, changing_the_password_needs_the_current_one_and_ends_other_sessions) {
  const auto login = R"({"username":"max","password":"password-max"})";
  const auto here = session_pair(call(caller::anonymous, "POST", "/api/auth/login", login));
  const auto elsewhere = session_pair(call(caller::anonymous, "POST", "/api/auth/login", login));
  ASSERT_EQ(with_cookie(elsewhere, "GET", "/api/me").status, 200);

  const auto wrong = with_cookie(here, "POST", "/api/me/password",
                                 R"({"current_password":"guess","password":"a new passphrase"})");
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_EQ(with_cookie(elsewhere, "GET", "/api/me").status, 200);  // a refusal ends nothing

  const auto changed =
      with_cookie(here, "POST", "/api/me/password",
                  R"({"current_password":"password-max","password":"a new passphrase"})");
  ASSERT_EQ(changed.status, 204) << changed.body;
  const auto renewed = session_pair(changed);
  ASSERT_EQ(renewed.rfind("berth_session=", 0), 0u) << renewed;
  // Every session issued before the change is refused, the caller's old cookie included;
  // the caller's browser carries on with the fresh one.
  EXPECT_EQ(with_cookie(elsewhere, "GET", "/api/me").status, 401);
  EXPECT_EQ(with_cookie(here, "GET", "/api/me").status, 401);
  EXPECT_EQ(with_cookie(renewed, "GET", "/api/me").status, 200);
  // A login right after the change (within the same second) works, with the new password only.
  EXPECT_EQ(call(caller::anonymous, "POST", "/api/auth/login", login).status, 401);
  const auto again = call(caller::anonymous, "POST", "/api/auth/login",
                          R"({"username":"max","password":"a new passphrase"})");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(with_cookie(session_pair(again), "GET", "/api/me").status, 200);
  // API tokens stay unless revoked with it.
  EXPECT_EQ(call(caller::member, "GET", "/api/me").status, 200);
}

TEST_F(account_routes_pgtest, a_password_change_can_revoke_every_api_token) {
  const auto changed = call(
      caller::member, "POST", "/api/me/password",
      R"({"current_password":"password-max","password":"a new passphrase","revoke_tokens":true})");
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_TRUE(header_of(changed, "Set-Cookie").empty());  // a token caller gets no cookie
  EXPECT_EQ(call(caller::member, "GET", "/api/me").status, 401);
  EXPECT_EQ(call(caller::admin, "GET", "/api/me").status, 200);  // only max's tokens
}

TEST_F(account_routes_pgtest, an_admins_password_reset_ends_the_users_sessions) {
  const auto session = session_pair(call(caller::anonymous, "POST", "/api/auth/login",
                                         R"({"username":"max","password":"password-max"})"));
  ASSERT_EQ(with_cookie(session, "GET", "/api/me").status, 200);
  const auto reset = call(caller::admin, "PATCH", "/api/admin/users/" + users_[caller::member].id,
                          R"({"password":"reset by the admin"})");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(with_cookie(session, "GET", "/api/me").status, 401);
}

TEST_F(account_routes_pgtest, another_users_token_is_not_found) {
  const auto token = call(caller::member, "POST", "/api/me/tokens", R"({"name":"mine"})");
  ASSERT_EQ(token.status, 201);
  const std::string token_id(body_of(token).at("id").as_string());
  EXPECT_EQ(call(caller::admin, "DELETE", "/api/me/tokens/" + token_id).status, 404);
  EXPECT_EQ(body_of(call(caller::member, "GET", "/api/me/tokens")).at("tokens").as_array().size(),
            2u);
}

TEST_F(account_routes_pgtest, rejects_bad_bodies_without_changing_anything) {
  ASSERT_EQ(call(caller::admin, "GET", "/api/templates").status, 200);  // creates `default`
  const auto before = events();
  const std::vector<std::tuple<caller, std::string, std::string, std::string, int>> cases{
      {caller::anonymous, "POST", "/api/auth/login", "{not json", 400},
      {caller::anonymous, "POST", "/api/auth/login", "[1,2]", 400},
      {caller::anonymous, "POST", "/api/auth/login", R"({"username":"max","password":"x","x":1})",
       422},
      {caller::member, "POST", "/api/me/tokens", R"({"name":"ci","scope":"all"})", 422},
      {caller::member, "POST", "/api/me/tokens", R"({"name":"ci","expires_ms":1})", 422},
      {caller::member, "POST", "/api/me/tokens", R"({"name":""})", 422},
      {caller::member, "POST", "/api/me/password",
       R"({"current_password":"password-max","password":"short"})", 422},
      {caller::member, "POST", "/api/me/password",
       R"({"current_password":"password-max","password":")" + std::string(2000, 'p') + R"("})",
       422},
      {caller::member, "POST", "/api/me/password", R"({"password":"a fresh passphrase"})", 422},
      {caller::member, "POST", "/api/me/password",
       R"({"current_password":"wrong guess","password":"a fresh passphrase"})", 403},
      {caller::member, "PUT", "/api/me/secrets/API_KEY",
       R"({"value":")" + std::string(64 * 1024 + 1, 'v') + R"("})", 413},
      {caller::member, "PUT", "/api/me/secrets/lower_case", R"({"value":"v"})", 422},
      {caller::member, "PUT", "/api/me/secrets/API_KEY", R"({"value":1})", 422},
      {caller::member, "PUT", "/api/me/secrets/API_KEY", "{", 400},
      {caller::admin, "POST", "/api/admin/users",
       R"({"username":"x","password":"long-enough",)"
       R"("role":"root"})",
       422},
      {caller::admin, "POST", "/api/admin/users",
       R"({"username":"Bad Name!","password":)"
       R"("long-enough"})",
       422},
      {caller::admin, "PATCH", "/api/admin/users/" + users_[caller::member].id,
       R"({"role":"admin","password":"short"})", 422},
      {caller::admin, "PATCH", "/api/admin/users/" + users_[caller::member].id,
       R"({"role":"admin","nickname":"m"})", 422},
      {caller::admin, "POST", "/api/templates", R"({"name":"Python"})", 422},
      {caller::admin, "POST", "/api/templates",
       R"({"name":"Python","image":"x","limits":{"memory_bytes":1}})", 422},
      {caller::admin, "POST", "/api/templates",
       R"({"name":"Python","image":"x","limits":{"gpus":1}})", 422},
      {caller::admin, "PUT", "/api/templates/default", R"({"image":""})", 422},
      {caller::admin, "PUT", "/api/templates/default", R"({"env":{"lower":"x"}})", 422},
      {caller::admin, "PUT", "/api/admin/limits", R"({"global":{"max_running":-1}})", 422},
      {caller::admin, "PUT", "/api/admin/limits", R"({"per_user":{"nobody":{}}})", 422},
      {caller::admin, "PUT", "/api/admin/limits", R"({"global":{"cpus":1}})", 422},
  };
  for (const auto& [who, method, path, body, status] : cases) {
    const auto out = call(who, method, path, body);
    EXPECT_EQ(out.status, status) << method << " " << path << " " << body.substr(0, 80);
    EXPECT_TRUE(body_of(out).contains("error")) << out.body;
  }
  EXPECT_EQ(events(), before);
  EXPECT_EQ(body_of(call(caller::admin, "GET", "/api/admin/users")).at("users").as_array().size(),
            3u);
  EXPECT_EQ(body_of(call(caller::member, "GET", "/api/me")).at("role"), "member");
  EXPECT_EQ(body_of(call(caller::member, "GET", "/api/me/secrets")).at("secrets").as_array().size(),
            0u);
}

}  // namespace
}  // namespace berth::http
