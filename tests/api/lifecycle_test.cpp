#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string container_of(const std::string& workspace_id) {
  return "berth-ws-" + workspace_id;
}

std::size_t list_size(api_client& client) {
  const auto reply = client.call("GET", "/api/workspaces");
  if (!reply.json.is_object()) return 0;
  return reply.json.as_object().at("workspaces").as_array().size();
}

TEST_F(api_test, runs_a_workspace_through_its_whole_lifecycle) {
  auto created = create_workspace(*alice_, "alpha", true);
  const auto id = text_of(created, "id");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(text_of(created, "state"), "running");
  const auto labels = shell(
      "docker inspect -f '{{index .Config.Labels \"berth.workspace\"}} "
      "{{.HostConfig.PidsLimit}} {{.State.Running}}' " +
      container_of(id));
  ASSERT_TRUE(labels);
  EXPECT_EQ(*labels, id + " 512 true\n");

  auto listed = alice_->call("GET", "/api/workspaces");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json.at("workspaces").as_array().size(), 1u);
  EXPECT_EQ(text_of(listed.json.at("workspaces").as_array()[0], "name"), "alpha");

  auto renamed = alice_->call("PATCH", "/api/workspaces/" + id, R"({"name":"alpha two"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(text_of(renamed.json, "name"), "alpha two");
  auto starred = alice_->call("PUT", "/api/workspaces/" + id + "/star");
  ASSERT_EQ(starred.status, 200);
  EXPECT_TRUE(starred.json.at("starred").as_bool());
  listed = alice_->call("GET", "/api/workspaces");
  EXPECT_EQ(text_of(listed.json.at("workspaces").as_array()[0], "name"), "alpha two");
  EXPECT_TRUE(listed.json.at("workspaces").as_array()[0].at("starred").as_bool());

  auto stopped = alice_->call("POST", "/api/workspaces/" + id + "/stop");
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(text_of(stopped.json, "state"), "stopped");
  EXPECT_EQ(shell("docker inspect -f '{{.State.Running}}' " + container_of(id)), "false\n");
  auto started = alice_->call("POST", "/api/workspaces/" + id + "/start");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(text_of(started.json, "state"), "running");
  auto restarted = alice_->call("POST", "/api/workspaces/" + id + "/restart");
  ASSERT_EQ(restarted.status, 200) << restarted.body;
  EXPECT_EQ(text_of(restarted.json, "state"), "running");

  ASSERT_TRUE(
      shell("docker exec " + container_of(id) +
            " sh -c 'mkdir -p /workspace/project && echo kept > /workspace/project/notes'"));
  auto exported = alice_->call("GET", "/api/workspaces/" + id + "/export");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.header("content-type"), "application/gzip");
  const auto archive = ::testing::TempDir() + "export-" + id + ".tar.gz";
  {
    std::FILE* out = std::fopen(archive.c_str(), "wb");
    ASSERT_TRUE(out);
    std::fwrite(exported.body.data(), 1, exported.body.size(), out);
    std::fclose(out);
  }
  EXPECT_EQ(shell("tar -xzOf " + archive + " workspace/project/notes"), "kept\n");

  auto removed = alice_->call("DELETE", "/api/workspaces/" + id);
  ASSERT_EQ(removed.status, 204) << removed.body;
  EXPECT_FALSE(shell("docker inspect " + container_of(id) + " >/dev/null 2>&1"));
  EXPECT_FALSE(shell("docker volume inspect " + container_of(id) + " >/dev/null 2>&1"));
  EXPECT_EQ(alice_->call("GET", "/api/workspaces/" + id).status, 404);
  EXPECT_EQ(list_size(*alice_), 0u);
}

TEST_F(api_test, notices_a_killed_container_and_ensure_brings_back_the_same_volume) {
  const auto id = text_of(create_workspace(*alice_, "sturdy", true), "id");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(
      shell("docker exec " + container_of(id) + " sh -c 'echo precious > /workspace/keep'"));

  ASSERT_TRUE(shell("docker kill " + container_of(id) + " >/dev/null"));
  EXPECT_TRUE(wait_for_state(*alice_, id, "stopped", 15s)) << "the watcher did not notice";
  auto ensured = alice_->call("POST", "/api/workspaces/" + id + "/ensure");
  ASSERT_EQ(ensured.status, 200) << ensured.body;
  EXPECT_EQ(text_of(ensured.json, "state"), "running");
  EXPECT_EQ(shell("docker exec " + container_of(id) + " cat /workspace/keep"), "precious\n");

  const auto old_container = shell("docker inspect -f '{{.Id}}' " + container_of(id));
  ASSERT_TRUE(shell("docker rm -f " + container_of(id) + " >/dev/null"));
  EXPECT_TRUE(wait_for_state(*alice_, id, "stopped", 15s)) << "the watcher did not notice";
  ensured = alice_->call("POST", "/api/workspaces/" + id + "/ensure");
  ASSERT_EQ(ensured.status, 200) << ensured.body;
  EXPECT_EQ(text_of(ensured.json, "state"), "running");
  EXPECT_NE(shell("docker inspect -f '{{.Id}}' " + container_of(id)), old_container);
  EXPECT_EQ(shell("docker exec " + container_of(id) + " cat /workspace/keep"), "precious\n");
}

TEST_F(api_test, stops_an_idle_workspace_and_says_why) {
  const char* image = std::getenv("BERTH_WORKSPACE_IMAGE");
  ASSERT_TRUE(image) << "BERTH_WORKSPACE_IMAGE is not set (scripts/prepare sets it)";
  const auto made = ada_->call(
      "POST", "/api/templates",
      json::serialize(json::object{{"name", "hasty"}, {"image", image}, {"idle_timeout_s", 1}}));
  ASSERT_EQ(made.status, 201) << made.body;
  const auto created = alice_->call(
      "POST", "/api/workspaces",
      json::serialize(json::object{{"name", "napper"}, {"template", text_of(made.json, "id")}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = text_of(created.json, "id");
  EXPECT_TRUE(wait_for_state(*alice_, id, "stopped", 20s)) << server_->output();
  EXPECT_EQ(text_of(alice_->call("GET", "/api/workspaces/" + id).json, "state_reason"), "idle");
  EXPECT_EQ(shell("docker inspect -f '{{.State.Running}}' " + container_of(id)), "false\n");
}

TEST_F(api_test, enforces_quotas_on_workspaces_and_running_ones) {
  const auto alice_id = user_id_of(*alice_);
  const auto limits = json::serialize(
      json::object{{"global", json::object{{"max_workspaces", 0},
                                           {"max_running", 0},
                                           {"memory_bytes", 0},
                                           {"nano_cpus", 0},
                                           {"pids", 0}}},
                   {"per_user", json::object{{alice_id, json::object{{"max_workspaces", 2},
                                                                     {"max_running", 0},
                                                                     {"memory_bytes", 0},
                                                                     {"nano_cpus", 0},
                                                                     {"pids", 100}}}}}});
  ASSERT_EQ(ada_->call("PUT", "/api/admin/limits", limits).status, 200);
  auto first = create_workspace(*alice_, "one", false);
  EXPECT_EQ(first.at("limits").at("pids").as_int64(), 100) << "the quota caps the template";
  create_workspace(*alice_, "two", false);
  const auto third = alice_->call("POST", "/api/workspaces", R"({"name":"three","start":false})");
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(third.error_code(), "quota_exceeded");
  EXPECT_EQ(list_size(*alice_), 2u);
  create_workspace(*bob_, "bobs", false);  // others keep the global quota

  // One running workspace at most: every route that would start a second one refuses.
  auto one_running = json::parse(limits).as_object();
  one_running["per_user"].as_object()[alice_id].as_object()["max_running"] = 1;
  ASSERT_EQ(ada_->call("PUT", "/api/admin/limits", json::serialize(one_running)).status, 200);
  ASSERT_EQ(alice_->call("POST", "/api/workspaces/" + text_of(first, "id") + "/start").status, 200);
  const auto second =
      text_of(alice_->call("GET", "/api/workspaces").json.at("workspaces").as_array()[1], "id");
  for (const auto* action : {"start", "restart", "ensure"}) {
    const auto refused = alice_->call("POST", "/api/workspaces/" + second + "/" + action);
    EXPECT_EQ(refused.status, 409) << action << ": " << refused.body;
    EXPECT_EQ(refused.error_code(), "quota_exceeded") << action;
  }
  // Opening a terminal in the stopped one would start it: refused the same way.
  const auto terminal = alice_->call("POST", "/api/workspaces/" + second + "/sessions");
  EXPECT_EQ(terminal.status, 409) << terminal.body;
  EXPECT_EQ(terminal.error_code(), "quota_exceeded");
  EXPECT_EQ(text_of(alice_->call("GET", "/api/workspaces/" + second).json, "state"), "stopped");
}

TEST_F(api_test, parallel_creates_at_the_quota_edge_give_exactly_one_workspace) {
  const auto alice_id = user_id_of(*alice_);
  const auto one = json::object{{"max_workspaces", 1},
                                {"max_running", 0},
                                {"memory_bytes", 0},
                                {"nano_cpus", 0},
                                {"pids", 0}};
  const auto unlimited = json::object{{"max_workspaces", 0},
                                      {"max_running", 0},
                                      {"memory_bytes", 0},
                                      {"nano_cpus", 0},
                                      {"pids", 0}};
  ASSERT_EQ(ada_->call("PUT", "/api/admin/limits",
                       json::serialize(json::object{{"global", unlimited},
                                                    {"per_user", json::object{{alice_id, one}}}}))
                .status,
            200);
  // Ten creates at once: without one check-and-create per owner, several would count zero.
  std::vector<std::thread> clients;
  std::vector<api_reply> replies(10);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    clients.emplace_back([&, i] {
      replies[i] = alice_->call("POST", "/api/workspaces",
                                R"({"name":"racer-)" + std::to_string(i) + R"(","start":false})");
    });
  }
  for (auto& client : clients)
    client.join();
  int created = 0, refused = 0;
  for (const auto& reply : replies) {
    if (reply.status == 201) ++created;
    if (reply.status == 409 && reply.error_code() == "quota_exceeded") ++refused;
  }
  EXPECT_EQ(created + refused, 10) << "every request reached Berth and was decided";
  EXPECT_EQ(created, 1);
  EXPECT_EQ(list_size(*alice_), 1u);
}

TEST_F(api_test, parallel_terminal_opens_at_the_running_quota_edge_start_one_workspace) {
  const auto alice_id = user_id_of(*alice_);
  ASSERT_EQ(ada_->call("PUT", "/api/admin/limits",
                       R"({"global":{},"per_user":{")" + alice_id + R"(":{"max_running":1}}})")
                .status,
            200);
  std::vector<std::string> ids;
  for (const auto* name : {"one", "two", "three"})
    ids.push_back(text_of(create_workspace(*alice_, name, false), "id"));
  // A terminal in each stopped workspace at once: each would start its workspace, and
  // without one check-and-start per owner all three would count none running.
  std::vector<std::thread> clients;
  std::vector<api_reply> replies(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    clients.emplace_back(
        [&, i] { replies[i] = alice_->call("POST", "/api/workspaces/" + ids[i] + "/sessions"); });
  }
  for (auto& client : clients)
    client.join();
  int opened = 0, refused = 0;
  for (const auto& reply : replies) {
    if (reply.status == 201) ++opened;
    if (reply.status == 409 && reply.error_code() == "quota_exceeded") ++refused;
  }
  EXPECT_EQ(opened + refused, 3) << "every request reached Berth and was decided";
  EXPECT_EQ(opened, 1);
  int running = 0;
  for (const auto& id : ids)
    running += text_of(alice_->call("GET", "/api/workspaces/" + id).json, "state") == "running";
  EXPECT_EQ(running, 1);
}

TEST_F(api_test, rejects_malformed_and_oversized_bodies_without_changing_anything) {
  const auto id = text_of(create_workspace(*alice_, "steady", false), "id");
  struct bad_request {
    std::string method, path, body;
    int status;
  };
  const std::vector<bad_request> requests{
      {"POST", "/api/workspaces", "{", 400},
      {"POST", "/api/workspaces", "[1,2]", 400},
      {"POST", "/api/workspaces", R"({"name":"x","colour":"red"})", 422},
      {"POST", "/api/workspaces", R"({"name":"../etc/passwd","start":false})", 422},
      {"POST", "/api/workspaces", R"({"name":"","start":false})", 422},
      {"POST", "/api/workspaces", R"({"name":42})", 422},
      {"POST", "/api/workspaces", R"({"name":"x","template":"nope","start":false})", 422},
      {"POST", "/api/workspaces", R"({"name":")" + std::string(100, 'n') + R"("})", 422},
      {"PATCH", "/api/workspaces/" + id, R"({"name":"bad/name"})", 422},
      {"PATCH", "/api/workspaces/" + id, R"({"name":"ok","extra":1})", 422},
      {"PATCH", "/api/workspaces/" + id, "\xff\xfe", 400},
      {"POST", "/api/workspaces", R"({"name":")" + std::string(2 * 1024 * 1024, 'a') + R"("})",
       413},
      {"GET", "/api/workspaces/not-a-workspace", "", 404},
  };
  for (const auto& bad : requests) {
    const auto reply = alice_->call(bad.method, bad.path, bad.body);
    EXPECT_EQ(reply.status, bad.status)
        << bad.method << " " << bad.path << " " << bad.body.substr(0, 80) << " → " << reply.body;
    if (reply.status != 413) {
      EXPECT_FALSE(reply.error_code().empty()) << reply.body;
    }
  }
  const auto listed = alice_->call("GET", "/api/workspaces");
  ASSERT_EQ(listed.json.at("workspaces").as_array().size(), 1u);
  EXPECT_EQ(text_of(listed.json.at("workspaces").as_array()[0], "name"), "steady");
}

}  // namespace
}  // namespace berth::testing
