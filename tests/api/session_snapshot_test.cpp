// Resuming from a screen snapshot once the start of a full-screen program's output is no
// longer replayable (Coder's issues #3666 and #11872: garbage instead of the editor).

#include <gtest/gtest.h>

#include "actors/screen_model.hpp"
#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(session_test, resumes_vim_from_a_sane_screen_snapshot) {
  const auto [workspace, session] = open_session(80, 24);
  auto watcher = attach(workspace, session, 0);
  ASSERT_TRUE(watcher.type("seq 1 4000\r"));
  ASSERT_TRUE(watcher.wait_for("\r\n4000\r\n", 20s));
  ASSERT_TRUE(watcher.type("vim -u NONE -N /etc/passwd\r"));
  ASSERT_TRUE(watcher.wait_for("\"/etc/passwd\"", 20s)) << watcher.output().substr(20000);
  watcher.drain(1s);  // vim has drawn everything
  ASSERT_EQ(watcher.start(), 0);
  // More than the replay limit (16 KiB) was written since vim's start: from 0 is too far.
  ASSERT_GT(watcher.end(), 16384);

  // What a terminal that saw every byte shows.
  actors::screen_model everything(24, 80);
  everything.feed(watcher.output());
  const auto expected = everything.screen_text();
  const auto first_line = shell("docker exec berth-ws-" + workspace + " head -n 1 /etc/passwd");
  ASSERT_TRUE(first_line);
  EXPECT_EQ(expected.substr(0, expected.find('\n')), first_line->substr(0, first_line->find('\n')))
      << expected;

  auto late = attach(workspace, session, 0);
  const auto attached = late.wait_for_control("attached", 10s);
  ASSERT_TRUE(attached.is_object());
  EXPECT_TRUE(attached.at("snapshot").as_bool());
  const auto snapshot = late.wait_for_control("snapshot", 10s);
  ASSERT_TRUE(snapshot.is_object());
  const auto data = text_of(snapshot, "data");
  EXPECT_NE(data.find("\x1b[?1049h"), std::string::npos) << "the alternate screen is not restored";
  late.drain(500ms);
  actors::screen_model resumed(24, 80);
  resumed.feed(data);
  resumed.feed(late.output());
  EXPECT_EQ(resumed.screen_text(), expected);
  EXPECT_EQ(resumed.screen_text().find("3999"), std::string::npos);

  // The editor still answers the resumed client.
  const auto quit_at = late.output().size();
  ASSERT_TRUE(late.type(":q!\r"));
  ASSERT_TRUE(late.wait_for("\x1b[?1049l", 10s, quit_at)) << late.output();
  ASSERT_TRUE(late.wait_for("$ ", 10s, quit_at));  // the shell's prompt: typing reaches bash
  const auto mark = late.output().size();
  ASSERT_TRUE(late.type("echo back-$((2*21))\r"));
  EXPECT_TRUE(late.wait_for("back-42", 10s, mark)) << late.output();
}

}  // namespace
}  // namespace berth::testing
