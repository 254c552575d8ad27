// Recovery after a kill -9 starts each session's screen from its newest keyframe: a session
// that printed tens of MB answers as quickly as an empty one, and shows the same screen.
// Without a keyframe it feeds every byte, says `recovering` meanwhile, and what a client
// types then reaches the shell once.

#include <chrono>
#include <optional>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/screen_keyframe.hpp"
#include "actors/screen_model.hpp"
#include "actors/session_recorder.hpp"
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

/// The end of the screen after print_24_megabytes (or a flood of the same lines): rows of
/// 100 a's wrapped at 80 columns, the last one unended, then the mark.
const std::string printed_screen_tail =
    std::string(80, 'a') + "\n" + std::string(20, 'a') + "printed-42\n";

/// The screen a client's snapshot shows, as text; empty when no snapshot came.
std::string snapshot_text(terminal_client& client) {
  const auto snapshot = client.wait_for_control("snapshot", 10s);
  if (!snapshot.is_object()) return {};
  actors::screen_model screen(24, 80);
  screen.feed(text_of(snapshot, "data"));
  return screen.screen_text();
}

/// The keyframe rows of `stream`.
int keyframes_of(const std::string& url, const std::string& stream) {
  pqxx::connection connection(url);
  pqxx::nontransaction query(connection);
  return query
      .exec_params1("SELECT count(*) FROM es_snapshots WHERE stream_id = $1 AND state_version = $2",
                    stream, actors::screen_keyframe_state_version)[0]
      .as<int>();
}

/// The newest keyframe of `stream`, if any.
std::optional<actors::screen_keyframe> newest_keyframe(const std::string& url,
                                                       const std::string& stream) {
  pqxx::connection connection(url);
  pqxx::nontransaction query(connection);
  const auto rows = query.exec_params(
      "SELECT state FROM es_snapshots WHERE stream_id = $1 AND state_version = $2", stream,
      actors::screen_keyframe_state_version);
  if (rows.empty()) return std::nullopt;
  return actors::decode_keyframe(pqxx::binarystring(rows[0][0]).str());
}

/// The input recorded in `stream` (its InputRecorded events' bytes), in order.
std::string input_recorded(const std::string& url, const std::string& stream) {
  pqxx::connection connection(url);
  pqxx::nontransaction query(connection);
  std::string typed;
  for (const auto& row : query.exec_params(
           "SELECT body FROM es_events WHERE stream_id = $1 AND event_type = 'InputRecorded' "
           "ORDER BY stream_version",
           stream)) {
    typed += pqxx::binarystring(row[0]).str();
  }
  return typed;
}

/// How often `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

/// Holds, uncommitted, the keyframe row of a stream until destroyed (rolled back). A recovery
/// that fed the screen the long way saves a keyframe with `INSERT ... ON CONFLICT`, which
/// PostgreSQL makes wait for an uncommitted insert of the same key; its reads do not wait
/// (they do not see the row), so it still finds no keyframe and goes the long way.
class keyframe_row_hold {
 public:
  keyframe_row_hold(const std::string& url, const std::string& stream)
      : connection_(url), transaction_(connection_) {
    transaction_.exec_params(
        "INSERT INTO es_snapshots (stream_id, state_version, stream_version, state) "
        "VALUES ($1, $2, 0, '')",
        stream, actors::screen_keyframe_state_version);
  }

 private:
  pqxx::connection connection_;
  pqxx::work transaction_;  ///< aborted by its destructor
};

TEST_F(session_test, recovers_a_long_session_from_its_keyframe_after_a_kill_9) {
  const auto [workspace, session] = open_session();
  // All of it recorded, so the screen the new server shows at once holds the mark (else the
  // keeper resends the rest after the snapshot, as it should, and it shows the screen before).
  ASSERT_GT(print_24_megabytes(workspace, session), 24'000'000);
  // Keyframes were taken while it printed.
  const auto stream = "session-" + session;
  ASSERT_TRUE(wait_until([&] { return keyframes_of(url(), stream) == 1; }, 20s));

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
  const auto text = snapshot_text(after);
  EXPECT_NE(text.find(printed_screen_tail), std::string::npos) << text;
  EXPECT_LT(answered, 2s) << "answered "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(answered).count()
                          << " ms after the server listened";
}

TEST_F(session_test, keeps_keyframes_up_with_a_flood_and_recovers_from_one_killed_mid_flood) {
  const auto [workspace, session] = open_session();
  const auto stream = "session-" + session;
  constexpr std::int64_t flood = 64'000'000;
  // Attached while it prints, reading as a browser would (a session left alone closes
  // after its grace, which would end the flood).
  auto client = attach(workspace, session);
  ASSERT_TRUE(
      client.type("head -c 64000000 /dev/zero | tr '\\0' a | fold -w 100; "
                  "echo printed-$((40+2))\r"));
  // While the shell keeps printing (the keeper is paused whenever 4 MiB wait to be recorded,
  // so appends never catch up), keyframes are saved near the head of the log.
  const auto backlog_and_interval =
      actors::keyframe_interval + actors::max_unrecorded_output + actors::max_append_bytes;
  std::optional<actors::screen_keyframe> keyframe;
  std::int64_t recorded = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        client.drain(50ms);
        keyframe = newest_keyframe(url(), stream);
        recorded = output_recorded_end(url(), stream);
        return (keyframe && keyframe->offset >= 6 * actors::keyframe_interval) || recorded >= flood;
      },
      120s));
  ASSERT_TRUE(keyframe) << "no keyframe while " << recorded << " bytes were recorded";
  ASSERT_LT(recorded, flood) << "no keyframe past " << 6 * actors::keyframe_interval
                             << " bytes before the flood ended; the newest at " << keyframe->offset;
  EXPECT_LE(recorded - keyframe->offset, backlog_and_interval);

  // Killed in the middle of it, the session recovers from a keyframe at most about an
  // interval and the backlog behind what was recorded.
  server_->kill_hard();
  recorded = output_recorded_end(url(), stream);
  ASSERT_LT(recorded, flood) << "the flood ended before the kill";
  ASSERT_TRUE(server_->start());
  auto after = attach(workspace, session, 0);
  ASSERT_TRUE(after.wait_for("printed-42\r\n", 120s))
      << "received " << after.output().size() << " bytes; controls: "
      << (after.controls().empty() ? "" : boost::json::serialize(after.controls().back()));
  const auto metrics = anonymous_->call("GET", "/metrics").body;
  EXPECT_EQ(sample(metrics, "berth_session_recovery_fed_bytes_total{from=\"start\"}"), 0)
      << metrics;
  // Nothing from the start: a keyframe was used. What followed it may be nothing at all (a
  // keyframe can stand at the recorded end: seen under ASan), at most the interval and backlog.
  const auto fed = sample(metrics, "berth_session_recovery_fed_bytes_total{from=\"keyframe\"}");
  EXPECT_LE(fed, static_cast<double>(backlog_and_interval));
  // The screen the shell left: lines of a's (the last one unended), the mark.
  auto last = attach(workspace, session, 0);
  const auto text = snapshot_text(last);
  EXPECT_NE(text.find(printed_screen_tail), std::string::npos) << text;
}

TEST_F(session_test, says_it_is_recovering_and_delivers_a_key_typed_meanwhile_exactly_once) {
  const auto [workspace, session] = open_session();
  // All of it recorded, so the recovery has every byte to feed. Keyframes were taken while
  // it printed; without them (an older server's session), the recovery feeds the screen
  // model every recorded byte. Deleted after the kill: no keyframe in flight can come back.
  const auto printed = print_24_megabytes(workspace, session);
  ASSERT_GT(printed, 24'000'000);
  const auto stream = "session-" + session;
  ASSERT_TRUE(wait_until([&] { return keyframes_of(url(), stream) == 1; }, 20s));
  server_->kill_hard();
  {
    pqxx::connection connection(url());
    pqxx::work deleting(connection);
    deleting.exec_params("DELETE FROM es_snapshots WHERE stream_id = $1", stream);
    deleting.commit();
  }
  // Recovery starts with the server, for every open session (serve.cpp calls
  // sessions.recover() before it listens), not when a client attaches: a client could come
  // after it ended. The held row keeps it from ending (it waits to save its keyframe) until
  // the test has typed; no sleep, no timing.
  std::optional<keyframe_row_hold> hold(std::in_place, url(), stream);
  ASSERT_TRUE(server_->start());
  auto after = attach(workspace, session, 0);
  ASSERT_TRUE(after.wait_for_control("status", 60s).is_object());
  // Typed now, while the session says it is recovering. The pong shows the server read it:
  // a socket's frames are handled in order, the input handed on to the session directory
  // before the ping is answered, so ahead of what the recovery's end tells the directory.
  const std::string typed = "echo typed-$((6*7))\r";
  ASSERT_TRUE(after.type(typed));
  ASSERT_TRUE(after.send_json(R"({"type":"ping"})"));
  ASSERT_TRUE(after.wait_for_control("pong", 20s).is_object());
  hold.reset();
  ASSERT_TRUE(after.wait_for_control("attached", 60s).is_object());
  // The client heard `recovering` first, typed before `attached`: the fault this test is about.
  ASSERT_GE(after.controls().size(), 3u);
  EXPECT_EQ(after.controls()[0].at("type"), "status") << after.controls()[0];
  EXPECT_EQ(after.controls()[0].at("state"), "recovering") << after.controls()[0];
  EXPECT_EQ(after.controls()[1].at("type"), "pong") << after.controls()[1];
  EXPECT_EQ(after.controls()[2].at("type"), "attached") << after.controls()[2];
  // The recovery really went the long way...
  const auto metrics = anonymous_->call("GET", "/metrics").body;
  EXPECT_GE(sample(metrics, "berth_session_recovery_fed_bytes_total{from=\"start\"}"),
            static_cast<double>(printed))
      << metrics;
  // ...and left a keyframe for the next restart.
  EXPECT_TRUE(wait_until([&] { return keyframes_of(url(), stream) == 1; }, 10s));

  // The key reached the shell once: its output once, before a later command's.
  ASSERT_TRUE(after.wait_for("typed-42\r\n", 20s));
  const std::string marker = "echo marker-$((7*8))\r";
  ASSERT_TRUE(after.type(marker));
  ASSERT_TRUE(after.wait_for("marker-56\r\n", 20s));
  EXPECT_EQ(occurrences(after.output(), "typed-42\r\n"), 1u) << after.output();
  EXPECT_LT(after.output().find("typed-42\r\n"), after.output().find("marker-56\r\n"));
  EXPECT_EQ(after.discontinuities(), 0);
  // And was recorded once, before the marker (input is recorded in the order it was sent).
  std::string recorded;
  ASSERT_TRUE(wait_until(
      [&] {
        recorded = input_recorded(url(), stream);
        return recorded.find(marker) != std::string::npos;
      },
      10s))
      << recorded;
  EXPECT_EQ(occurrences(recorded, typed), 1u) << recorded;
  EXPECT_LT(recorded.find(typed), recorded.find(marker)) << recorded;
}

}  // namespace
}  // namespace berth::testing
