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
