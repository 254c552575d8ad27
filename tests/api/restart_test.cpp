#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_F(api_test, keeps_every_workspace_identical_across_a_kill_9) {
  std::vector<std::string> ids;
  for (const auto* name : {"one", "two", "three", "four"}) {
    ids.push_back(text_of(create_workspace(*alice_, name, false), "id"));
  }
  ASSERT_EQ(alice_->call("PUT", "/api/workspaces/" + ids[1] + "/star").status, 200);
  ASSERT_EQ(alice_->call("PATCH", "/api/workspaces/" + ids[2], R"({"name":"drei"})").status, 200);
  ASSERT_EQ(alice_->call("PUT", "/api/workspaces/" + ids[3] + "/star").status, 200);
  ASSERT_EQ(alice_->call("PATCH", "/api/workspaces/" + ids[3], R"({"name":"vier"})").status, 200);
  const auto list_before = alice_->call("GET", "/api/workspaces").body;
  std::vector<std::string> each_before;
  for (const auto& id : ids)
    each_before.push_back(alice_->call("GET", "/api/workspaces/" + id).body);

  server_->kill_hard();
  ASSERT_TRUE(server_->start());

  EXPECT_EQ(alice_->call("GET", "/api/workspaces").body, list_before);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(alice_->call("GET", "/api/workspaces/" + ids[i]).body, each_before[i]);
  }
  const auto renamed = alice_->call("PATCH", "/api/workspaces/" + ids[0], R"({"name":"eins"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(text_of(renamed.json, "name"), "eins");
  const auto listed = alice_->call("GET", "/api/workspaces");
  bool found = false;
  for (const auto& row : listed.json.at("workspaces").as_array()) {
    found = found || text_of(row, "name") == "eins";
  }
  EXPECT_TRUE(found) << listed.body;
}

}  // namespace
}  // namespace berth::testing

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(api_test, reconciles_with_docker_after_a_kill_9) {
  const auto id = text_of(create_workspace(*alice_, "vanishing", true), "id");
  ASSERT_FALSE(id.empty());
  server_->kill_hard();
  // While the server is down: its container disappears, and an orphan of this instance
  // (a workspace the log never heard of) appears.
  ASSERT_TRUE(shell("docker rm -f berth-ws-" + id + " >/dev/null"));
  const char* image = std::getenv("BERTH_WORKSPACE_IMAGE");
  ASSERT_TRUE(image);
  const auto orphan = shell(
      "docker create --label berth.workspace=0190aaaa-0000-7000-8000-000000000000"
      " --label berth.instance=" +
      server_->instance() + " " + image + " true");
  ASSERT_TRUE(orphan);
  const auto orphan_id = orphan->substr(0, orphan->find('\n'));
  ASSERT_TRUE(server_->start());

  EXPECT_TRUE(
      wait_until([&] { return !shell("docker inspect " + orphan_id + " >/dev/null 2>&1"); }, 20s))
      << "the orphan container was not removed";
  EXPECT_TRUE(wait_for_state(*alice_, id, "stopped", 20s))
      << "the vanished container was not noticed";
  const auto ensured = alice_->call("POST", "/api/workspaces/" + id + "/ensure");
  EXPECT_EQ(ensured.status, 200) << ensured.body;
  EXPECT_EQ(text_of(ensured.json, "state"), "running");
}

TEST_F(api_test, records_who_did_what_from_where_in_the_audit_log) {
  const auto id = text_of(create_workspace(*alice_, "audited", false), "id");
  ASSERT_EQ(alice_
                ->call("PATCH", "/api/workspaces/" + id, R"({"name":"audited two"})",
                       "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n")
                .status,
            200);
  const auto alice_id = user_id_of(*alice_);
  // Every change carries the trace of the request that caused it: the create's own (a new
  // trace, both of its events) and the rename's own too: the caller's `traceparent` is not
  // believed from a client that is no trusted proxy (trusted_proxy_test shows the other case).
  EXPECT_TRUE(wait_until(
      [&] {
        const auto rows = shell("psql -Atq '" + url() +
                                "' -c \"SELECT action, actor, remote_address, length(trace_id), "
                                "trace_id = first_value(trace_id) OVER (ORDER BY global_pos), "
                                "trace_id = '4bf92f3577b34da6a3ce929d0e0e4736' "
                                "FROM rm_audit_log WHERE resource_id = '" +
                                id + "' ORDER BY global_pos\"");
        return rows && *rows == "WorkspaceCreated|" + alice_id + "|127.0.0.1|32|t|f\n" +
                                    "WorkspaceStopped|" + alice_id + "|127.0.0.1|32|t|f\n" +
                                    "WorkspaceRenamed|" + alice_id + "|127.0.0.1|32|f|f\n";
      },
      10s))
      << shell("psql -Atq '" + url() + "' -c 'SELECT * FROM rm_audit_log'").value_or("");
}

}  // namespace
}  // namespace berth::testing
