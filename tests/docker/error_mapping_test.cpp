#include <curl/curl.h>
#include <gtest/gtest.h>

#include "docker/api_version.hpp"
#include "docker/curl_transport.hpp"
#include "docker/error.hpp"

namespace berth::docker {
namespace {

TEST(error_mapping, maps_http_statuses_to_codes) {
  EXPECT_EQ(code_for_status(304), error_code::not_modified);
  EXPECT_EQ(code_for_status(400), error_code::bad_request);
  EXPECT_EQ(code_for_status(403), error_code::bad_request);
  EXPECT_EQ(code_for_status(404), error_code::not_found);
  EXPECT_EQ(code_for_status(409), error_code::conflict);
  EXPECT_EQ(code_for_status(500), error_code::server_error);
  EXPECT_EQ(code_for_status(503), error_code::server_error);
  EXPECT_EQ(code_for_status(101), error_code::protocol);
}

TEST(error_mapping, keeps_the_daemons_message_and_status) {
  auto failure = error_from_reply(404, R"({"message":"No such image: nope:latest"})");
  EXPECT_EQ(failure.code, error_code::not_found);
  EXPECT_EQ(failure.http_status, 404);
  EXPECT_EQ(failure.message, "No such image: nope:latest");
  EXPECT_EQ(describe(failure), "not_found (404): No such image: nope:latest");
}

TEST(error_mapping, keeps_plain_text_bodies_and_names_empty_ones_by_status) {
  EXPECT_EQ(error_from_reply(502, "Bad Gateway\r\n").message, "Bad Gateway");
  EXPECT_EQ(error_from_reply(500, "").message, "HTTP status 500");
  EXPECT_EQ(error_from_reply(500, std::string(4096, 'x')).message.size(), 512u);
}

TEST(error_mapping, maps_transport_failures_to_unavailable_or_timeout) {
  EXPECT_EQ(error_from_curl(CURLE_COULDNT_CONNECT, "").code, error_code::daemon_unavailable);
  EXPECT_EQ(error_from_curl(CURLE_GOT_NOTHING, "").code, error_code::daemon_unavailable);
  EXPECT_EQ(error_from_curl(CURLE_RECV_ERROR, "").code, error_code::daemon_unavailable);
  EXPECT_EQ(error_from_curl(CURLE_OPERATION_TIMEDOUT, "").code, error_code::timeout);
  EXPECT_EQ(error_from_curl(CURLE_WEIRD_SERVER_REPLY, "").code, error_code::protocol);
  EXPECT_EQ(error_from_curl(CURLE_ABORTED_BY_CALLBACK, "").code, error_code::cancelled);
  auto failure = error_from_curl(CURLE_COULDNT_CONNECT, "connect to /nope.sock failed");
  EXPECT_NE(failure.message.find("/nope.sock"), std::string::npos) << failure.message;
}

TEST(api_version, negotiates_the_lower_of_ours_and_the_daemons) {
  EXPECT_EQ(negotiate_api_version("1.41"), (api_version{1, 41}));
  EXPECT_EQ(negotiate_api_version("1.43"), (api_version{1, 41}));
  EXPECT_EQ(negotiate_api_version("2.0"), (api_version{1, 41}));
}

TEST(api_version, rejects_daemons_older_than_docker_20_10_with_a_clear_message) {
  auto old = negotiate_api_version("1.40");
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, error_code::unsupported_version);
  EXPECT_NE(old.error().message.find("1.40"), std::string::npos) << old.error().message;
  EXPECT_NE(old.error().message.find("1.41"), std::string::npos) << old.error().message;
}

TEST(api_version, orders_minor_versions_numerically_and_rejects_garbage) {
  EXPECT_LT(*parse_api_version("1.9"), *parse_api_version("1.41"));
  EXPECT_FALSE(parse_api_version("1"));
  EXPECT_FALSE(parse_api_version("1.x"));
  EXPECT_FALSE(parse_api_version(""));
  EXPECT_EQ(negotiate_api_version("banana").error().code, error_code::protocol);
}

}  // namespace
}  // namespace berth::docker
