// The CSRF guard (http/request_guard.hpp): which requests a page of another origin could have
// made a signed-in browser send.
#include <gtest/gtest.h>

#include "http/request_guard.hpp"

namespace berth::http {
namespace {

request browser_post(std::string target, std::string body, std::string content_type) {
  request req;
  req.method = "POST";
  req.target = std::move(target);
  req.body = std::move(body);
  req.headers.emplace_back("host", "berth.example:8080");
  if (!content_type.empty()) req.headers.emplace_back("content-type", std::move(content_type));
  return req;
}

int status_of(const request& req) {
  const auto refused = refuse_cross_site(req);
  return refused ? refused->status : 0;
}

TEST(request_guard, lets_json_from_the_same_origin_and_from_clients_without_origin_pass) {
  auto req = browser_post("/api/workspaces", R"({"name":"x"})", "application/json");
  EXPECT_EQ(status_of(req), 0);
  req.headers.emplace_back("origin", "http://berth.example:8080");
  req.headers.emplace_back("sec-fetch-site", "same-origin");
  EXPECT_EQ(status_of(req), 0);
  EXPECT_EQ(status_of(browser_post("/api/x", "{}", "Application/JSON; charset=utf-8")), 0);
  // No body and no type: `POST .../start` from curl or the UI.
  EXPECT_EQ(status_of(browser_post("/api/workspaces/1/start", "", "")), 0);
}

TEST(request_guard, refuses_bodies_that_a_form_or_a_no_cors_fetch_can_send) {
  for (const auto* type : {"text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx", ""}) {
    const auto refused = refuse_cross_site(browser_post("/api/admin/users", "{}", type));
    ASSERT_TRUE(refused) << type;
    EXPECT_EQ(refused->status, 415) << type;
    EXPECT_NE(refused->body.find("unsupported_media_type"), std::string::npos);
  }
  // A type without a body is refused too: only JSON is ever meant.
  EXPECT_EQ(status_of(browser_post("/api/auth/logout", "", "text/plain")), 415);
}

TEST(request_guard, refuses_another_origin_even_on_the_same_host) {
  for (const auto* origin :
       {"http://berth.example:9090", "https://evil.example", "null", "http://berth.example"}) {
    auto req = browser_post("/api/auth/login", "{}", "application/json");
    req.headers.emplace_back("origin", origin);
    const auto refused = refuse_cross_site(req);
    ASSERT_TRUE(refused) << origin;
    EXPECT_EQ(refused->status, 403) << origin;
    EXPECT_NE(refused->body.find("cross_site_request"), std::string::npos);
  }
}

TEST(request_guard, refuses_what_the_browser_says_came_from_another_site_or_origin) {
  for (const auto* site : {"same-site", "cross-site", "garbage"}) {
    auto req = browser_post("/api/admin/users", "{}", "application/json");
    req.headers.emplace_back("sec-fetch-site", site);
    EXPECT_EQ(status_of(req), 403) << site;
  }
  auto typed = browser_post("/api/admin/users", "{}", "application/json");
  typed.headers.emplace_back("sec-fetch-site", "none");  // the user's own navigation
  EXPECT_EQ(status_of(typed), 0);
}

TEST(request_guard, leaves_reads_and_paths_outside_the_api_alone) {
  for (const auto* method : {"GET", "HEAD", "OPTIONS"}) {
    auto req = browser_post("/api/workspaces", "", "text/plain");
    req.method = method;
    req.headers.emplace_back("origin", "https://evil.example");
    req.headers.emplace_back("sec-fetch-site", "cross-site");
    EXPECT_EQ(status_of(req), 0) << method;
  }
  EXPECT_EQ(status_of(browser_post("/login", "x", "text/plain")), 0);
  for (const auto* method : {"PUT", "PATCH", "DELETE"}) {
    auto req = browser_post("/api/workspaces/1", "x", "text/plain");
    req.method = method;
    EXPECT_EQ(status_of(req), 415) << method;
  }
}

}  // namespace
}  // namespace berth::http
