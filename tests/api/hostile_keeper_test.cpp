// A keeper taken over by the container's user (docs/keeper-protocol.md) against a real `berth
// serve`, PostgreSQL and Docker. tests/api/hostile_keeper.py plays the keeper inside the
// workspace container, as that user; each test first shows from its log that the attack
// happened, then that the server refused it and that nothing else suffered.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// How many lines of `text` contain `needle`.
long lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  long count = 0;
  for (std::string line; std::getline(in, line);)
    count += line.find(needle) != std::string::npos;
  return count;
}

/// VmRSS of `berth serve`, in KiB: the fixture does not say the server's pid, so it is the child
/// of this process whose second argument is `serve` (started by posix_spawn). 0 when not found.
long server_rss_kib() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (!std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    char state = 0;
    long parent = 0;
    if (!(fields >> state >> parent) || parent != ::getpid()) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string program, verb;
    std::getline(cmdline, program, '\0');
    std::getline(cmdline, verb, '\0');
    if (verb != "serve") continue;
    std::ifstream status(entry.path() / "status");
    for (std::string row; std::getline(status, row);) {
      if (row.rfind("VmRSS:", 0) == 0) return std::stol(row.substr(6));
    }
  }
  return 0;
}

class hostile_keeper_test : public session_test {
 protected:
  /// Copies the hostile keeper into the workspace's container and starts it in `mode`, as the
  /// container's user (docker exec's default there); true once it took the socket path over.
  bool start_hostile_keeper(const std::string& workspace_id, const std::string& mode) {
    const auto container = container_of(workspace_id);
    if (!shell("docker exec -i " + container + " sh -c 'cat > /tmp/hostile_keeper.py' < " +
               BERTH_SOURCE_DIR "/tests/api/hostile_keeper.py") ||
        !shell("docker exec -d " + container + " python3 /tmp/hostile_keeper.py " + mode)) {
      return false;
    }
    return wait_for_log(workspace_id, "listening", 10s);
  }

  /// What the hostile keeper logged so far.
  std::string hostile_keeper_log(const std::string& workspace_id) {
    return shell("docker exec " + container_of(workspace_id) +
                 " cat /tmp/hostile-keeper.log 2>/dev/null")
        .value_or("");
  }

  bool wait_for_log(const std::string& workspace_id, const std::string& needle,
                    std::chrono::milliseconds timeout) {
    return wait_until(
        [&] { return hostile_keeper_log(workspace_id).find(needle) != std::string::npos; },
        timeout);
  }

  /// The reasons of the KeeperRefused events in the session's stream, in order.
  std::vector<std::string> refusals_recorded(const std::string& session_id) {
    pqxx::connection connection(url());
    pqxx::read_transaction transaction(connection);
    std::vector<std::string> reasons;
    for (const auto& row :
         transaction.exec_params("SELECT data->>'reason' FROM es_events WHERE stream_id = $1 "
                                 "AND event_type = 'KeeperRefused' ORDER BY stream_version",
                                 "session-" + session_id)) {
      reasons.push_back(row[0].as<std::string>());
    }
    return reasons;
  }

  /// `berth_keeper_links_refused_total` on GET /metrics, -1 when absent.
  double links_refused() {
    std::istringstream in(anonymous_->call("GET", "/metrics").body);
    const std::string series = "berth_keeper_links_refused_total ";
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series, 0) == 0) return std::stod(line.substr(series.size()));
    }
    return -1;
  }

  /// Whether the shell answers `echo <tag>-$((40+2))` with `<tag>-42` within `timeout` (the
  /// typed line does not contain the answer, so only the shell can produce it).
  static bool echoes(terminal_client& terminal, const std::string& tag,
                     std::chrono::milliseconds timeout = 15s) {
    const auto mark = terminal.output().size();
    return terminal.type("echo " + tag + "-$((40+2))\r") &&
           terminal.wait_for(tag + "-42", timeout, mark);
  }

  /// Forges one frame through the hostile keeper in `mode`, then checks what the server did:
  /// the link closed, `reason` recorded and counted, the server and another workspace fine, and
  /// the session back on its real shell with nothing forged in its output.
  void check_forgery_is_refused(const std::string& mode, const std::string& sent,
                                const std::string& reason) {
    const auto [workspace, session] = open_session();
    const auto [other_workspace, other_session] = open_session();
    auto terminal = attach(workspace, session);
    auto other = attach(other_workspace, other_session);
    ASSERT_TRUE(echoes(terminal, "before")) << terminal.output();
    ASSERT_TRUE(echoes(other, "other-before")) << other.output();
    ASSERT_EQ(links_refused(), 0);

    ASSERT_TRUE(start_hostile_keeper(workspace, mode)) << hostile_keeper_log(workspace);
    // The attack happened: the server relinked into the hostile keeper, which forged.
    ASSERT_TRUE(wait_for_log(workspace, sent, 15s))
        << hostile_keeper_log(workspace) << server_->output();
    // The server, not the hostile keeper, ended that link.
    EXPECT_TRUE(wait_for_log(workspace, "the server closed the link", 15s))
        << hostile_keeper_log(workspace);
    EXPECT_TRUE(wait_until(
        [&] { return refusals_recorded(session) == std::vector<std::string>{reason}; }, 10s))
        << ::testing::PrintToString(refusals_recorded(session)) << server_->output();
    EXPECT_GE(links_refused(), 1);
    EXPECT_EQ(anonymous_->call("GET", "/healthz").status, 200);
    EXPECT_TRUE(echoes(other, "other-after")) << other.output();

    // With the real keeper's socket back, the next link resumes the shell where it was: the
    // forged frame moved no offset and no byte of it reached a client.
    ASSERT_TRUE(wait_for_log(workspace, "put the real keeper back", 15s));
    EXPECT_TRUE(echoes(terminal, "after")) << terminal.output() << server_->output();
    EXPECT_EQ(terminal.output().find("forged"), std::string::npos) << terminal.output();
    EXPECT_EQ(terminal.discontinuities(), 0);
  }
};

TEST_F(hostile_keeper_test,
       a_keeper_that_forges_an_offset_loses_its_link_and_the_refusal_is_recorded) {
  check_forgery_is_refused("forge-offset", "sent output at offset 9223372036854775807",
                           "output: output offset beyond 2^63");
}

TEST_F(hostile_keeper_test, a_keeper_that_sends_frames_of_another_session_loses_its_link) {
  check_forgery_is_refused("forge-session", "sent output of another-session",
                           "a frame for another session");
}

TEST_F(hostile_keeper_test,
       a_keeper_that_breaks_every_link_after_attached_is_relinked_at_a_bounded_rate) {
  const auto [workspace, session] = open_session();
  auto terminal = attach(workspace, session);
  ASSERT_TRUE(echoes(terminal, "before")) << terminal.output();

  // For 20 s from killing the server's bridge, every link is answered hello + attached and
  // closed. Each `attached` counts as a healthy start, so the session never gives up, but a
  // link that lasts under 30 s does not reset the backoff: the waits before links 1, 2, 3...
  // are at least half their ceilings 200, 400, 800, 1600, 3200, 5000, 5000... ms, i.e.
  // 100, 200, 400, 800, 1600, 2500, 2500... Link n starts no earlier than their sum:
  // 0.1, 0.3, 0.7, 1.5, 3.1, 5.6, 8.1, 10.6, 13.1, 15.6, 18.1 (n = 11), 20.6 s (n = 12): at most
  // 11 links fit in the window. Relinking at once would make hundreds (an exec takes tens of
  // ms).
  ASSERT_TRUE(start_hostile_keeper(workspace, "hang-up")) << hostile_keeper_log(workspace);
  ASSERT_TRUE(wait_for_log(workspace, "window over", 30s)) << hostile_keeper_log(workspace);
  const auto log = hostile_keeper_log(workspace);
  const auto links = lines_with(log, "accepted a connection");
  EXPECT_GE(lines_with(log, "attached"), 2) << log;  // the relinks did happen
  EXPECT_LE(links, 11) << log;
  RecordProperty("links", std::to_string(links));

  // The shell survived the attack: once the socket is back the session relinks to it.
  ASSERT_TRUE(wait_for_log(workspace, "put the real keeper back", 5s)) << log;
  EXPECT_TRUE(echoes(terminal, "after")) << terminal.output() << server_->output();
  EXPECT_EQ(terminal.discontinuities(), 0);
}

TEST_F(hostile_keeper_test, a_gibibyte_flood_cannot_grow_the_servers_memory_or_starve_others) {
  constexpr long long flood_bytes = 1LL << 30;  // FLOOD_BYTES in hostile_keeper.py
  const auto [workspace, session] = open_session();
  const auto [other_workspace, other_session] = open_session();
  // A client that never reads keeps the flooded session open past its grace, as a browser tab
  // that stopped reading would: the server must hold nothing for it either.
  auto stalled = attach(workspace, session);
  auto other = attach(other_workspace, other_session);
  ASSERT_TRUE(echoes(other, "warm")) << other.output();
  const auto rss_before = server_rss_kib();
  ASSERT_GT(rss_before, 0) << "cannot find the server's process";
  const auto stream = "session-" + session;
  const auto recorded_before = output_recorded_bytes(url(), stream);

  ASSERT_TRUE(start_hostile_keeper(workspace, "flood")) << hostile_keeper_log(workspace);
  ASSERT_TRUE(wait_for_log(workspace, "sent 67108864", 30s))
      << hostile_keeper_log(workspace) << server_->output();

  // Until the keeper has sent the whole gibibyte: the other workspace's shell answers
  // keystrokes, and the server's memory is sampled between them.
  std::vector<double> echo_ms;
  long rss_most = rss_before;
  std::string log;
  const auto give_up = clock_type::now() + 300s;  // FLOOD_SECONDS
  auto next_look = clock_type::now() + 1s;
  for (int sample = 0;; ++sample) {
    const auto tag = "k" + std::to_string(sample) + "x";
    const auto mark = other.output().size();
    const auto typed = clock_type::now();
    ASSERT_TRUE(other.type(": " + tag + "\r"));
    ASSERT_TRUE(other.wait_for(tag, 5s, mark)) << other.output();
    echo_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - typed).count());
    rss_most = std::max(rss_most, server_rss_kib());
    if (clock_type::now() < next_look) continue;
    log = hostile_keeper_log(workspace);  // a docker exec: once a second
    if (log.find("flood over") != std::string::npos) break;
    ASSERT_LT(clock_type::now(), give_up) << "the flood did not end: " << log;
    next_look = clock_type::now() + 1s;
  }
  // The attack happened in full: the keeper wrote the gibibyte, and the server read and
  // recorded every byte of it (nothing lost, nothing held back).
  ASSERT_NE(log.find("flood over after " + std::to_string(flood_bytes)), std::string::npos) << log;
  EXPECT_TRUE(wait_until(
      [&] { return output_recorded_bytes(url(), stream) - recorded_before >= flood_bytes; }, 60s))
      << output_recorded_bytes(url(), stream) - recorded_before << " bytes recorded"
      << server_->output();
  std::sort(echo_ms.begin(), echo_ms.end());
  const auto p99 = echo_ms[echo_ms.size() * 99 / 100];
  // The server keeps at most 4 MiB unrecorded, 1 MiB queued for the screen model and 16 MiB
  // of output per session in memory; 64 MiB leaves room for allocator slack and the append
  // in flight.
  EXPECT_LE(rss_most - rss_before, 64 * 1024) << "KiB, flood: " << log;
  // Not starved: the flooded session's actor and its screen drainer share the two scheduler
  // threads with everyone. Issue 15's target is 50 ms; the test records the p99
  // (echo_p99_ms) and asserts what must hold on a loaded machine too.
  EXPECT_LE(p99, 250.0) << "ms over " << echo_ms.size() << " keystrokes, median "
                        << echo_ms[echo_ms.size() / 2] << " ms, flood: " << log;
  // Afterwards the other session is as before.
  EXPECT_TRUE(echoes(other, "after")) << other.output();
  RecordProperty("rss_growth_kib", std::to_string(rss_most - rss_before));
  RecordProperty("echo_p99_ms", std::to_string(p99));
  RecordProperty("echo_p50_ms", std::to_string(echo_ms[echo_ms.size() / 2]));
  RecordProperty("echo_samples", std::to_string(echo_ms.size()));
}

}  // namespace
}  // namespace berth::testing
