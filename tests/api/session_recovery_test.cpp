// Recovery after a kill -9 starts each session's screen from its newest keyframe: a session
// that printed tens of MB answers as quickly as an empty one, and shows the same screen.

#include <chrono>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "actors/screen_keyframe.hpp"
#include "actors/screen_model.hpp"
#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

/// The value of one sample line (`name{labels} value`) in a Prometheus text page; 0 when absent.
double sample(const std::string& page, const std::string& series) {
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return 0;
}

TEST_F(session_test, recovers_a_long_session_from_its_keyframe_after_a_kill_9) {
  const auto [workspace, session] = open_session();
  const auto before = [&] {
    auto client = attach(workspace, session);
    // 24 MB of 100-column lines, then a mark: twelve keyframe intervals of output.
    EXPECT_TRUE(
        client.type("head -c 24000000 /dev/zero | tr '\\0' a | fold -w 100; "
                    "echo printed-$((40+2))\r"));
    EXPECT_TRUE(client.wait_for("printed-42\r\n", 120s));
    return client.end();
  }();
  ASSERT_GT(before, 24'000'000);
  // Keyframes were taken while it printed: the newest stands near the end of the output.
  const auto stream = "session-" + session;
  std::optional<std::string> keyframe_version;
  ASSERT_TRUE(wait_until(
      [&] {
        keyframe_version = shell("psql -Atq '" + url() +
                                 "' -c \"SELECT stream_version FROM es_snapshots WHERE "
                                 "stream_id = '" +
                                 stream + "' AND state_version = " +
                                 std::to_string(actors::screen_keyframe_state_version) + "\"");
        return keyframe_version && !keyframe_version->empty();
      },
      20s));

  server_->kill_hard();
  ASSERT_TRUE(server_->start());
  const auto listening = std::chrono::steady_clock::now();
  auto after = attach(workspace, session, 0);  // older than the replay limit: a snapshot
  const auto mark = after.output().size();
  ASSERT_TRUE(after.type("echo back-$((2+3))\r"));
  ASSERT_TRUE(after.wait_for("back-5\r\n", 20s, mark));
  const auto answered = std::chrono::steady_clock::now() - listening;

  // The recovery fed the screen from a keyframe, at most an interval of output and what the
  // last batch held, not the 24 MB.
  const auto metrics = anonymous_->call("GET", "/metrics").body;
  const auto fed_from_keyframe =
      sample(metrics, "berth_session_recovery_fed_bytes_total{from=\"keyframe\"}");
  EXPECT_EQ(sample(metrics, "berth_session_recovery_fed_bytes_total{from=\"start\"}"), 0)
      << metrics;
  EXPECT_LE(fed_from_keyframe, static_cast<double>(actors::keyframe_interval + (1 << 20)));
  // The screen is the one the shell left: lines of a's (the last one unended), the mark.
  const auto snapshot = after.wait_for_control("snapshot", 10s);
  ASSERT_TRUE(snapshot.is_object()) << "no snapshot";
  actors::screen_model screen(24, 80);
  screen.feed(text_of(snapshot, "data"));
  const auto text = screen.screen_text();
  EXPECT_NE(text.find(std::string(80, 'a') + "\n" + std::string(20, 'a') + "printed-42\n"),
            std::string::npos)
      << text;
  EXPECT_LT(answered, 2s) << "answered "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(answered).count()
                          << " ms after the server listened";
}

TEST_F(session_test, says_it_is_recovering_before_attaching_and_recovers_without_a_keyframe) {
  const auto [workspace, session] = open_session();
  {
    auto client = attach(workspace, session);
    EXPECT_TRUE(
        client.type("head -c 24000000 /dev/zero | tr '\\0' a | fold -w 100; "
                    "echo printed-$((40+2))\r"));
    ASSERT_TRUE(client.wait_for("printed-42\r\n", 120s));
  }
  // Without its keyframes (an older server's session), recovery feeds the screen model every
  // recorded byte: long enough for a client to arrive while it runs.
  const auto stream = "session-" + session;
  ASSERT_TRUE(wait_until(
      [&] {
        const auto deleted =
            shell("psql -Atq '" + url() + "' -c \"DELETE FROM es_snapshots WHERE stream_id = '" +
                  stream + "' RETURNING stream_id\"");
        return deleted && !deleted->empty();
      },
      20s));
  server_->kill_hard();
  ASSERT_TRUE(server_->start());
  auto after = attach(workspace, session, 0);
  const auto attached = after.wait_for_control("attached", 60s);
  ASSERT_TRUE(attached.is_object());
  const auto metrics = anonymous_->call("GET", "/metrics").body;
  // The recovery really went the long way (the fault this test is about)...
  EXPECT_GE(sample(metrics, "berth_session_recovery_fed_bytes_total{from=\"start\"}"), 24e6)
      << metrics;
  // ...and the client heard so before anything else.
  ASSERT_GE(after.controls().size(), 2u);
  EXPECT_EQ(after.controls()[0].at("type"), "status") << after.controls()[0];
  EXPECT_EQ(after.controls()[0].at("state"), "recovering") << after.controls()[0];
  EXPECT_EQ(after.controls()[1].at("type"), "attached");
  // The long way left a keyframe for the next restart.
  EXPECT_TRUE(wait_until(
      [&] {
        const auto rows =
            shell("psql -Atq '" + url() +
                  "' -c \"SELECT count(*) FROM es_snapshots WHERE stream_id = '" + stream + "'\"");
        return rows && *rows == "1\n";
      },
      10s));
  const auto mark = after.output().size();
  ASSERT_TRUE(after.type("echo back-$((2+3))\r"));
  EXPECT_TRUE(after.wait_for("back-5\r\n", 20s, mark));
}

}  // namespace
}  // namespace berth::testing
