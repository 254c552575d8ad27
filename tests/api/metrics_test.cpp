#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

/// The value of the sample whose name and labels are exactly `series`, or -1 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

/// The sum of every sample of family `name` (lines `name{...} v` or `name v`).
double family_total(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  double total = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "{", 0) == 0 || line.rfind(name + " ", 0) == 0) {
      total += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return total;
}

/// What `promtool check metrics` says about `body` and its exit status (`exit=N` last).
std::string promtool_verdict(const std::string& body) {
  const auto path = ::testing::TempDir() + "berth-metrics-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path, std::ios::binary) << body;
  auto verdict = shell("promtool check metrics < '" + path + "' 2>&1; echo \"exit=$?\"");
  std::remove(path.c_str());
  return verdict.value_or("shell failed");
}

using metrics_api_test = api_test;

TEST_F(metrics_api_test, promtool_accepts_the_live_metrics_and_the_families_are_filled) {
  ASSERT_TRUE(shell("command -v promtool"))
      << "promtool is missing: install Debian's `prometheus` package (scripts/debian-packages.txt)";
  const auto created = create_workspace(*alice_, "metrics-probe", false);
  ASSERT_FALSE(text_of(created, "id").empty());
  ASSERT_EQ(alice_->call("GET", "/api/workspaces").status, 200);
  ASSERT_EQ(alice_->call("GET", "/api/no-such-route").status, 404);

  // No credentials: Prometheus scrapes without them.
  const auto reply = anonymous_->call("GET", "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(promtool_verdict(reply.body), "exit=0\n") << reply.body;

  const auto& text = reply.body;
  EXPECT_EQ(family_total(text, "berth_build_info"), 1);
  EXPECT_NE(text.find("berth_build_info{version=\"0.1.0\",revision=\""), std::string::npos);
  // The workspace was appended and is counted by its state.
  EXPECT_GT(sample(text, "berth_events_appended_total{stream_type=\"workspace\"}"), 0);
  EXPECT_GT(family_total(text, "berth_event_append_batch_events_count"), 0);
  EXPECT_GT(family_total(text, "berth_event_append_duration_seconds_count"), 0);
  EXPECT_EQ(family_total(text, "berth_workspaces"), 1);
  EXPECT_GE(sample(text, "berth_projection_lag_events{projection=\"workspaces\"}"), 0);
  EXPECT_GT(
      sample(text, "berth_projection_apply_duration_seconds_count{projection=\"workspaces\"}"), 0);
  // The server asked Docker at start-up (ping, version, the containers it owns).
  EXPECT_GT(sample(text, "berth_docker_requests_total{operation=\"GET /_ping\",code=\"200\"}"), 0);
  EXPECT_EQ(sample(text, "berth_websocket_connections"), 0);
  EXPECT_EQ(sample(text, "berth_terminal_sessions{state=\"open\"}"), 0);
}

/// A server whose /metrics needs a token.
class metrics_token_test : public api_test {
 protected:
  std::map<std::string, std::string> server_environment() const override {
    auto environment = api_test::server_environment();
    environment["BERTH_METRICS_TOKEN"] = "scrape-secret";
    return environment;
  }
};

TEST_F(metrics_token_test, refuses_scrapes_without_the_configured_token) {
  EXPECT_EQ(anonymous_->call("GET", "/metrics").status, 401);
  // A signed-in user is not enough: the token is the scraper's credential.
  EXPECT_EQ(ada_->call("GET", "/metrics").status, 401);
  EXPECT_EQ(
      anonymous_->call("GET", "/metrics", "", "Authorization: Bearer scrape-secreT\r\n").status,
      401);
  const auto reply =
      anonymous_->call("GET", "/metrics", "", "Authorization: Bearer scrape-secret\r\n");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("# TYPE berth_build_info gauge"), std::string::npos);
}

}  // namespace
}  // namespace berth::testing
