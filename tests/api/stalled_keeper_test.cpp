// A stalled keeper (`kill -STOP`: it stops reading its socket) while several WebSockets of its
// session keep typing, against a real `berth serve`, PostgreSQL and Docker. The server holds the
// clients' sockets instead of buffering their input (session_keeper.cpp, update_input_hold), so
// its memory stays bounded and the clients' writes back up; after `kill -CONT` every line typed
// reaches the shell, once.

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "terminal/protocol.hpp"
#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// WebSockets typing into the stalled session at once.
constexpr int typist_count = 3;
/// Typed lines: below the terminal's 4095-byte line limit (canonical mode), so none is cut.
constexpr std::size_t line_bytes = 1024;
/// Lines per frame: a frame is as large as a client may send (a paste arrives like this).
constexpr std::size_t lines_per_frame = terminal::max_client_input_size / line_bytes;
/// Frames a client types before the test gives up waiting for back-pressure: 32 MiB, far more
/// than the server holds for a session (max_link_queue, 1 MiB), Docker and the keeper's pipes
/// take, and the kernel keeps in the sockets between (each client's writes backed up after
/// 65-126 frames here).
constexpr int max_frames = 512;
/// A frame written to a server that reads its socket leaves loopback in microseconds; a write
/// pending this long means the server stopped reading that socket. Well below the test client's
/// 10 s limit on a write, after which it would cut the connection.
constexpr auto stalled_write = 1s;
/// While held the server keeps for the session its link's queue (held from max_link_queue,
/// 1 MiB) and what was read before the hold took effect: per client a message being read and a
/// few in the session's mailbox, 64 KiB each: about 2 MiB (2.1 MiB measured with input
/// recording off). What the link handed on before the stopped keeper's socket, its bridge's
/// pipe and Docker filled up (2-5 MiB measured) is recorded as input, in appends of at most
/// max_append_bytes (1 MiB) that cost several times their size on their way to PostgreSQL
/// (copies, hex text) and leave that much in the allocator arena of the pool thread that ran
/// them: 14-31 MiB measured in all. 64 MiB leaves room for a loaded machine; a server reading
/// the clients' sockets would queue all they type, up to typist_count * max_frames * 64 KiB =
/// 96 MiB, and record it on top.
constexpr long rss_growth_bound_kib = 64 * 1024;

/// The pid, in the container, of the keeper serving the sessions (`keeper serve`, the
/// container's main process under docker-init); empty when not found.
std::string keeper_pid(const std::string& workspace_id) {
  const auto found = shell("docker exec " + container_of(workspace_id) +
                           " pgrep -o -f '^/opt/berth/keeper serve'");
  if (!found) return {};
  return found->substr(0, found->find('\n'));
}

/// Sends `signal` (STOP, CONT) to the keeper as the container's user (docker exec's default
/// there), who runs it: root in the container has no CAP_KILL over another user's processes.
bool signal_keeper(const std::string& workspace_id, const std::string& pid,
                   const std::string& signal) {
  return shell("docker exec " + container_of(workspace_id) + " kill -" + signal + " " + pid)
      .has_value();
}

/// The keeper's state letter in /proc/<pid>/status (`T`: stopped); 0 when unreadable.
char keeper_state(const std::string& workspace_id, const std::string& pid) {
  const auto status =
      shell("docker exec " + container_of(workspace_id) + " cat /proc/" + pid + "/status")
          .value_or("");
  const auto at = status.find("State:\t");
  return at == std::string::npos || at + 7 >= status.size() ? 0 : status[at + 7];
}

/// Types frames of lines into one terminal's socket on its own thread until `stop()` or
/// max_frames, then `end-<number>` as its last line. The terminal is not read meanwhile.
class typist {
 public:
  typist(terminal_client& terminal, int number)
      : thread_([this, &terminal, number] { run(terminal.socket(), number); }) {}
  ~typist() {
    stop();
    if (thread_.joinable()) thread_.join();
  }
  typist(const typist&) = delete;
  typist& operator=(const typist&) = delete;

  void stop() { stopping_ = true; }
  /// Waits until its last line is written.
  void join() { thread_.join(); }
  /// Frames written (handed to the kernel) so far.
  int frames() const { return frames_; }
  bool failed() const { return failed_; }
  /// How long the write in progress has been waiting; zero when none is.
  clock_type::duration pending_for() const {
    const auto started = write_started_.load();
    return started == clock_type::time_point{} ? clock_type::duration{}
                                               : clock_type::now() - started;
  }

 private:
  void run(ws_client& socket, int number) {
    std::string frame;
    for (std::size_t line = 0; line < lines_per_frame; ++line)
      frame += std::string(line_bytes - 1, static_cast<char>('a' + number)) + "\r";
    while (!stopping_ && frames_ < max_frames) {
      write_started_ = clock_type::now();
      if (!socket.send_binary(frame)) {
        failed_ = true;
        return;
      }
      write_started_ = clock_type::time_point{};
      ++frames_;
    }
    failed_ = !socket.send_binary("end-" + std::to_string(number) + "\r");
  }

  std::atomic<bool> stopping_ = false;
  std::atomic<bool> failed_ = false;
  std::atomic<int> frames_ = 0;
  std::atomic<clock_type::time_point> write_started_{};
  std::thread thread_;  // last: it starts once the members above exist
};

/// Whether the shell answers `echo <tag>-$((40+2))` with `<tag>-42` within `timeout` (the
/// typed line does not contain the answer, so only the shell can produce it).
bool echoes(terminal_client& terminal, const std::string& tag,
            std::chrono::milliseconds timeout = 15s) {
  const auto mark = terminal.output().size();
  return terminal.type("echo " + tag + "-$((40+2))\r") &&
         terminal.wait_for(tag + "-42", timeout, mark);
}

using stalled_keeper_test = session_test;

TEST_F(stalled_keeper_test, typing_into_a_stopped_keeper_backs_up_the_clients_not_the_server) {
  const auto [workspace, session] = open_session();
  std::vector<terminal_client> terminals;
  for (int n = 0; n < typist_count; ++n)
    terminals.push_back(attach(workspace, session));
  auto& first = terminals.front();
  // The input goes to awk, which counts the lines until every typist's last one; with echo off
  // the terminal does not send the input back as output.
  ASSERT_TRUE(first.type("stty -echo; echo ready-$((6*7)); awk '/^end-/ && ++ended == " +
                         std::to_string(typist_count) +
                         " { print \"lines:\" NR; exit }'; stty echo\r"));
  ASSERT_TRUE(first.wait_for("ready-42", 15s)) << first.output();

  const auto keeper = keeper_pid(workspace);
  ASSERT_FALSE(keeper.empty()) << "cannot find the keeper in " << container_of(workspace);
  const auto rss_before = server_->rss_kib();
  ASSERT_GT(rss_before, 0) << "cannot read the server's memory";
  std::vector<std::unique_ptr<typist>> typists;
  const auto started = clock_type::now();
  ASSERT_TRUE(signal_keeper(workspace, keeper, "STOP"));
  // Declared after the typists: when the test ends early the keeper runs again before their
  // blocked writes are waited for.
  const std::shared_ptr<void> resume_keeper(
      nullptr, [&](void*) { signal_keeper(workspace, keeper, "CONT"); });
  ASSERT_EQ(keeper_state(workspace, keeper), 'T');

  for (int n = 0; n < typist_count; ++n)
    typists.push_back(std::make_unique<typist>(terminals[n], n));
  const auto frames_written = [&] {
    std::string counts;
    for (const auto& each : typists)
      counts += std::to_string(each->frames()) + (each->failed() ? " (failed) " : " ");
    return counts;
  };
  // Back-pressure reached every client: each one's write waits, as typing waits in a browser.
  long rss_most = rss_before;
  const bool backed_up = wait_until(
      [&] {
        rss_most = std::max<long>(rss_most, server_->rss_kib());
        return std::all_of(typists.begin(), typists.end(),
                           [](const auto& each) { return each->pending_for() >= stalled_write; });
      },
      15s);
  ASSERT_TRUE(backed_up) << "frames written: " << frames_written() << server_->output();
  const auto held_after = clock_type::now() - started;
  rss_most = std::max<long>(rss_most, server_->rss_kib());
  EXPECT_EQ(keeper_state(workspace, keeper), 'T');  // the stall, not a failure, held them
  EXPECT_LE(rss_most - rss_before, rss_growth_bound_kib)
      << "KiB; frames written: " << frames_written();

  for (const auto& each : typists)
    each->stop();
  ASSERT_TRUE(signal_keeper(workspace, keeper, "CONT"));
  for (const auto& each : typists)
    each->join();
  int frames = 0;
  for (const auto& each : typists) {
    EXPECT_FALSE(each->failed()) << "frames written: " << frames_written();
    frames += each->frames();
  }
  // Every line typed reached the shell, once: awk counted all of them, the last lines too.
  const auto lines = "lines:" + std::to_string(frames * lines_per_frame + typist_count);
  for (auto& terminal : terminals)
    EXPECT_TRUE(terminal.wait_for(lines, 20s)) << lines << " in " << terminal.output();
  const auto recovered_after = clock_type::now() - started;
  for (int n = 0; n < typist_count; ++n) {
    EXPECT_TRUE(echoes(terminals[n], "after-" + std::to_string(n))) << terminals[n].output();
    EXPECT_EQ(terminals[n].discontinuities(), 0);
  }
  EXPECT_EQ(text_of(session_of(workspace, session), "state"), "open");

  const auto ms = [](clock_type::duration span) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(span).count());
  };
  RecordProperty("rss_growth_kib", std::to_string(rss_most - rss_before));
  RecordProperty("frames_written", frames_written());
  RecordProperty("held_after_ms", ms(held_after));
  RecordProperty("recovered_after_ms", ms(recovered_after));
}

}  // namespace
}  // namespace berth::testing
