// The sessions of a workspace share one keeper link (one `docker exec` of `keeper attach`),
// also after a kill -9; a session that closes leaves it to the others.

#include <gtest/gtest.h>

#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

/// `keeper attach` processes in the workspace's container: one per link; -1 when unknown.
int links_into(const std::string& workspace_id) {
  const auto count = shell("docker exec " + container_of(workspace_id) +
                           " pgrep -c -f '^/opt/berth/keeper attach'");
  if (!count) return -1;
  try {
    return std::stoi(*count);
  } catch (const std::exception&) {
    return -1;
  }
}

bool echoes(terminal_client& terminal, const std::string& tag) {
  const auto mark = terminal.output().size();
  return terminal.type("echo " + tag + "-$((6*7))\r") &&
         terminal.wait_for(tag + "-42\r\n", 15s, mark);
}

TEST_F(session_test, the_sessions_of_a_workspace_share_one_keeper_link_also_after_a_kill_9) {
  const auto [workspace, first] = open_session();
  const auto path = "/api/workspaces/" + workspace + "/sessions";
  const auto second = alice_->call("POST", path);
  const auto third = alice_->call("POST", path);
  ASSERT_EQ(second.status, 201) << second.body;
  ASSERT_EQ(third.status, 201) << third.body;
  const auto second_id = text_of(second.json, "id");
  const auto third_id = text_of(third.json, "id");
  {
    auto a = attach(workspace, first);
    auto b = attach(workspace, second_id);
    auto c = attach(workspace, third_id);
    ASSERT_TRUE(echoes(a, "a")) << a.output();
    ASSERT_TRUE(echoes(b, "b")) << b.output();
    ASSERT_TRUE(echoes(c, "c")) << c.output();
    // Three live sessions, one bridge: with a link per session there were three.
    EXPECT_EQ(links_into(workspace), 1);

    // A session that closes detaches from the link; the others go on on it.
    ASSERT_EQ(alice_->call("DELETE", path + "/" + second_id).status, 200);
    EXPECT_TRUE(echoes(a, "a-after-close")) << a.output();
    EXPECT_TRUE(echoes(c, "c-after-close")) << c.output();
    EXPECT_EQ(links_into(workspace), 1);
  }

  server_->kill_hard();
  ASSERT_TRUE(server_->start());
  auto a = attach(workspace, first, 0);
  auto c = attach(workspace, third_id, 0);
  EXPECT_TRUE(echoes(a, "a-restarted")) << a.output();
  EXPECT_TRUE(echoes(c, "c-restarted")) << c.output();
  // The killed server's bridge ends with its exec stream; the new server opened one link.
  EXPECT_TRUE(wait_until([&] { return links_into(workspace) == 1; }, 10s)) << links_into(workspace);
  EXPECT_EQ(a.discontinuities(), 0);
  EXPECT_EQ(c.discontinuities(), 0);
}

}  // namespace
}  // namespace berth::testing
