#include <gtest/gtest.h>

#include "http/json_body.hpp"
#include "http/request_fields.hpp"
#include "http/router.hpp"

namespace berth::http {
namespace {

request with_body(std::string body) {
  request req;
  req.method = "POST";
  req.target = "/x";
  req.body = std::move(body);
  return req;
}

TEST(json_body, reads_known_fields_and_rejects_unknown_ones_by_name) {
  auto body = parse_json_object(with_body(R"({"name":"a","start":true})"), {"name", "start"});
  ASSERT_TRUE(body);
  EXPECT_EQ(*required_string(*body, "name"), "a");
  EXPECT_EQ(**optional_bool(*body, "start"), true);
  auto unknown = parse_json_object(with_body(R"({"name":"a","colour":1})"), {"name"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().status, 422);
  EXPECT_NE(unknown.error().body.find("colour"), std::string::npos);
}

TEST(json_body, answers_malformed_json_with_400_and_wrong_types_with_422) {
  for (const char* text : {"{", "[]", "\"text\"", "nul", "{\"a\":1}}"}) {
    auto parsed = parse_json_object(with_body(text), {"a"});
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().status, 400) << text;
  }
  auto body = parse_json_object(with_body(R"({"name":5,"n":1.5,"b":"yes"})"), {"name", "n", "b"});
  ASSERT_TRUE(body);
  EXPECT_EQ(required_string(*body, "name").error().status, 422);
  EXPECT_EQ(optional_integer(*body, "n", 0, 10).error().status, 422);
  EXPECT_EQ(optional_bool(*body, "b").error().status, 422);
  EXPECT_EQ(required_string(*body, "missing").error().status, 422);
}

TEST(json_body, bounds_string_sizes_and_integer_ranges) {
  auto body = parse_json_object(
      with_body(R"({"name":")" + std::string(65, 'x') + R"(","n":11,"big":18446744073709551615})"),
      {"name", "n", "big"});
  ASSERT_TRUE(body);
  EXPECT_FALSE(required_string(*body, "name", 64));
  EXPECT_TRUE(required_string(*body, "name", 65));
  EXPECT_FALSE(optional_integer(*body, "n", 0, 10));
  EXPECT_FALSE(optional_integer(*body, "big", 0, INT64_MAX));
}

TEST(router, matches_templates_and_tells_404_from_405) {
  router routes;
  routes.add("GET", "/api/workspaces/{id}", [](const request&, const route_params& params) {
    response out;
    out.body = params.at("id");
    return out;
  });
  request req;
  req.method = "GET";
  req.target = "/api/workspaces/abc?x=1";
  EXPECT_EQ(routes.dispatch(req).body, "abc");
  req.method = "HEAD";
  EXPECT_EQ(routes.dispatch(req).status, 200);
  req.method = "PUT";
  const auto refused = routes.dispatch(req);
  EXPECT_EQ(refused.status, 405);
  ASSERT_EQ(refused.headers.size(), 1u);
  EXPECT_EQ(refused.headers[0].second, "GET");
  for (const char* path :
       {"/api/workspaces/", "/api/workspaces", "/api/workspaces/a/b", "/", "/api/workspaces//"}) {
    req.method = "GET";
    req.target = path;
    EXPECT_EQ(routes.dispatch(req).status, 404) << path;
  }
  req.target = "/api/workspaces/abc";
  EXPECT_EQ(routes.route_of(req), "/api/workspaces/{id}");
}

TEST(request_fields, decodes_every_query_parameter_once) {
  request req;
  req.target = "/api/audit?user=ada&action=Workspace%43reated&q=a+b%2Fc&empty=&flag&&";
  auto parameters = query_parameters(req);
  ASSERT_TRUE(parameters) << parameters.error();
  const std::map<std::string, std::string> expected{
      {"user", "ada"}, {"action", "WorkspaceCreated"}, {"q", "a b/c"}, {"empty", ""}, {"flag", ""}};
  EXPECT_EQ(*parameters, expected);
  req.target = "/api/audit";
  EXPECT_TRUE(query_parameters(req)->empty());
  for (const char* bad : {"/x?a=1&a=2", "/x?a=%zz", "/x?a=%4", "/x?=1", "/x?%61=1&a=2"}) {
    req.target = bad;
    EXPECT_FALSE(query_parameters(req)) << bad;
  }
}

TEST(request_fields, finds_a_cookie_among_others) {
  request req;
  req.headers = {{"cookie", "a=1; berth_session=tok.en ;c=3"}};
  EXPECT_EQ(cookie_value(req, "berth_session"), "tok.en");
  EXPECT_EQ(cookie_value(req, "c"), "3");
  EXPECT_EQ(cookie_value(req, "missing"), "");
  req.headers = {{"cookie", ";;=;berth_session"}};
  EXPECT_EQ(cookie_value(req, "berth_session"), "");
}

TEST(request_fields, accepts_only_valid_traceparent_headers_and_only_from_a_trusted_proxy) {
  const auto trace = [](std::string value, bool trusted = true) {
    request req;
    req.from_trusted_proxy = trusted;
    req.headers = {{"traceparent", std::move(value)}};
    return trace_id_of(req);
  };
  EXPECT_EQ(trace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false), "");
  EXPECT_EQ(trace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(trace("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(trace("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"), "");
  EXPECT_EQ(trace("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(trace("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(trace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"), "");
  EXPECT_EQ(trace("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(trace("garbage"), "");
}

}  // namespace
}  // namespace berth::http
