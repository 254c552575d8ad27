#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testing/process.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

class serve_pgtest : public pg_test {
 protected:
  /// Starts `berth serve` on a free port against this test's database, with the browser UI
  /// from `web_root` (a folder that does not exist unless given).
  void start_server(const std::string& web_root = "/nonexistent/berth-web") {
    server_ = std::make_unique<child_process>(
        std::vector<std::string>{BERTH_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                                 ::testing::TempDir() + "berth-serve-data", "--web-root", web_root},
        std::map<std::string, std::string>{{"BERTH_DATABASE_URL", url()}});
    const auto line = server_->wait_for_line("\"msg\":\"serving\"", 30s);
    ASSERT_TRUE(line) << "server did not start:\n" << server_->output();
    port_ = static_cast<int>(json_field_integer(*line, "port").value_or(0));
    ASSERT_GT(port_, 0);
  }

  std::unique_ptr<child_process> server_;
  int port_ = 0;
};

TEST_F(serve_pgtest, answers_healthz_with_the_database_reachable) {
  start_server();
  const auto reply = http_get(port_, "/healthz");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->body.find("\"status\":\"ok\""), std::string::npos) << reply->body;
  EXPECT_NE(reply->body.find("\"reachable\":true"), std::string::npos) << reply->body;
  for (const char* name : {"workspaces", "audit", "users", "templates", "sessions"}) {
    EXPECT_NE(reply->body.find("\"" + std::string(name) + "\":{\"events_behind\":"),
              std::string::npos)
        << name << " lag missing: " << reply->body;
  }
}

TEST_F(serve_pgtest, shuts_down_cleanly_on_sigterm) {
  start_server();
  ASSERT_TRUE(http_get(port_, "/healthz"));
  server_->signal(SIGTERM);
  const auto code = server_->wait(10s);
  ASSERT_TRUE(code) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0) << server_->output();
  EXPECT_FALSE(http_get(port_, "/healthz"));
}

TEST_F(serve_pgtest, answers_unknown_routes_and_methods_with_json_errors) {
  start_server();
  const auto missing = http_get(port_, "/api/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("\"code\":\"not_found\""), std::string::npos);
  const auto wrong_method =
      http_exchange(port_, "DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
}

TEST_F(serve_pgtest, serves_the_browser_ui_beside_the_api) {
  const auto web_root = ::testing::TempDir() + "berth-serve-web-" + std::to_string(::getpid());
  std::filesystem::create_directories(web_root + "/assets");
  std::ofstream(web_root + "/index.html") << "<!doctype html><title>ui</title>";
  std::ofstream(web_root + "/assets/app.js") << "export {}";
  start_server(web_root);
  std::filesystem::remove_all(web_root);  // served from memory from now on
  const auto page = http_get(port_, "/w/0193/s/0194");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><title>ui</title>");
  EXPECT_NE(page->headers.find("Content-Security-Policy: default-src 'self'"), std::string::npos)
      << page->headers;
  const auto script = http_get(port_, "/assets/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->body, "export {}");
  const auto head =
      http_exchange(port_, "HEAD /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_NE(head->headers.find("Content-Length: 9"), std::string::npos) << head->headers;
  EXPECT_TRUE(head->body.empty());
  const auto api = http_get(port_, "/api/me");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  const auto other = http_get(port_, "/nope");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST_F(serve_pgtest, starts_without_the_browser_ui_and_says_how_to_build_it) {
  start_server();
  EXPECT_NE(server_->output().find("browser UI not built"), std::string::npos);
  const auto page = http_get(port_, "/login");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);
  EXPECT_NE(page->body.find("./run.sh"), std::string::npos) << page->body;
  const auto health = http_get(port_, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(serve_pgtest, rejects_oversized_and_malformed_requests_and_stays_healthy) {
  start_server();
  const auto oversized =
      http_exchange(port_, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n" +
                               std::string(64 * 1024, 'a'));
  ASSERT_TRUE(oversized);
  EXPECT_EQ(oversized->status, 413);
  const auto garbage = http_exchange(port_, "\x01\x02 not http at all\r\n\r\n");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  const auto huge_header = http_exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                    std::string(64 * 1024, 'h') + "\r\n\r\n");
  ASSERT_TRUE(huge_header);
  EXPECT_EQ(huge_header->status, 431);
  const auto healthy = http_get(port_, "/healthz");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
}

TEST_F(serve_pgtest, reports_the_database_down_and_recovers_when_it_returns) {
  start_server();
  ASSERT_TRUE(run_services("pg-stop"));
  const auto down = http_get(port_, "/healthz");
  ASSERT_TRUE(run_services("pg-start"));
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  EXPECT_NE(down->body.find("\"reachable\":false"), std::string::npos) << down->body;
  EXPECT_TRUE(wait_until(
      [&] {
        const auto up = http_get(port_, "/healthz");
        return up && up->status == 200;
      },
      30s));
}

TEST(berth_cli, migrates_a_database_and_exits_zero) {
  auto admin = admin_database_url();
  ASSERT_FALSE(admin.empty());
  auto database = scratch_database::create(admin, "berth_cli_test");
  ASSERT_TRUE(database);
  for (int run = 0; run < 2; ++run) {
    child_process migrate({BERTH_BINARY, "migrate", "--database-url", database->url()});
    EXPECT_EQ(migrate.wait(30s), 0) << migrate.output();
  }
}

TEST_F(serve_pgtest, rebuilds_a_projection_from_the_command_line) {
  child_process rebuild({BERTH_BINARY, "projections", "rebuild", "audit"},
                        {{"BERTH_DATABASE_URL", url()}});
  EXPECT_EQ(rebuild.wait(30s), 0) << rebuild.output();
  child_process unknown({BERTH_BINARY, "projections", "rebuild", "no_such_projection"},
                        {{"BERTH_DATABASE_URL", url()}});
  EXPECT_EQ(unknown.wait(30s), 2) << unknown.output();
}

TEST(berth_cli, explains_a_missing_database_url) {
  child_process serve({BERTH_BINARY, "serve"}, {{"BERTH_DATABASE_URL", ""}, {"DATABASE_URL", ""}});
  EXPECT_EQ(serve.wait(10s), 2);
  EXPECT_NE(serve.output().find("BERTH_DATABASE_URL"), std::string::npos) << serve.output();
}

TEST(berth_cli, prints_help_listing_every_subcommand_and_key) {
  child_process help({"/bin/sh", "-c", std::string(BERTH_BINARY) + " --help 1>&2"});
  EXPECT_EQ(help.wait(10s), 0);
  for (const char* text : {"serve", "migrate", "bench eventstore", "--listen", "BERTH_LISTEN",
                           "--database-url", "--data-dir", "BERTH_DATA_DIR"}) {
    EXPECT_NE(help.output().find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace berth::testing
