#pragma once

// The WebSocket side of `bench sessions`: sessions turned into a raw `cat`, a reader of bulk
// output, and the probe that waits for a session to answer after a server restart. All of it
// runs on one io_context driven by the benchmark's thread (run_until).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/terminal_path_probes.hpp"
#include "testing/async_terminal_client.hpp"

namespace berth::bench {

/// Runs io until `done()`; false when `deadline` passes first.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds deadline);

/// A session of a workspace, as the API names it.
struct session_ref {
  std::string workspace_id;
  std::string session_id;
  /// The WebSocket's target, resuming from `from` when given.
  std::string ws_target(std::optional<std::int64_t> from) const;
};

/// A session whose shell was turned into a raw-mode `cat` without echo through its
/// WebSocket, so every byte typed comes back exactly once (as through a raw exec's `cat`).
class cat_session : public std::enable_shared_from_this<cat_session> {
 public:
  cat_session(boost::asio::io_context& io, session_ref ref);

  /// Attaches from offset 0 and types the `cat` set-up.
  void connect(int port, const std::string& token);
  /// Types one `x` a second, `count` times, the first after `delay`, recording each round
  /// trip (a byte still out after a second is waited for, not typed again).
  void type_every_second(std::chrono::milliseconds delay, int count);

  /// Bytes echoed once the `cat` runs (unless typing every second).
  std::function<void(std::string_view)> on_echo;

  const session_ref& ref() const { return ref_; }
  testing::async_terminal_client& client() { return *client_; }
  bool ready() const { return ready_; }
  /// Why the WebSocket ended; empty while it is open.
  const std::string& ended() const { return ended_; }
  bool typing() const { return typing_; }
  /// Round trips of type_every_second, in ms.
  std::vector<double>& samples() { return samples_; }

 private:
  void on_output(std::string_view bytes);
  void tick(std::chrono::milliseconds delay);

  boost::asio::io_context& io_;
  session_ref ref_;
  std::shared_ptr<testing::async_terminal_client> client_;
  boost::asio::steady_timer timer_;
  std::string preamble_;
  bool ready_ = false;
  std::string ended_;
  bool typing_ = false;
  int ticks_left_ = 0;
  bool waiting_ = false;
  std::chrono::steady_clock::time_point sent_at_;
  std::vector<double> samples_;
};

/// Attaches a cat_session to every session and waits until each runs its `cat`.
probe_result<std::vector<std::shared_ptr<cat_session>>> attach_cats(
    boost::asio::io_context& io, int port, const std::string& token,
    const std::vector<session_ref>& refs);
/// Closes every session's WebSocket (not the sessions) and waits until they are gone.
void close_cats(boost::asio::io_context& io, std::vector<std::shared_ptr<cat_session>>& sessions);

/// Reads the output of a bulk command typed into a shell, between the markers it prints
/// around it: `typed()` is the line to type.
class bulk_reader {
 public:
  explicit bulk_reader(std::string shell_command) : command_(std::move(shell_command)) {}

  std::string typed() const;
  void on_output(std::string_view bytes);
  bool done() const { return done_; }
  /// The command's bytes, markers and the shell's echo left out.
  const throughput_meter& meter() const { return meter_; }

 private:
  void consume(std::string_view bytes);

  std::string command_;
  bool started_ = false;
  bool done_ = false;
  std::string window_;  ///< a marker's beginning, waiting for the next frame
  throughput_meter meter_;
};

/// One session after a server restart: connects with `?from=<last offset>` until attached,
/// types a marker until it comes back, and starts over after any failure.
class recovery_probe : public std::enable_shared_from_this<recovery_probe> {
 public:
  recovery_probe(boost::asio::io_context& io, int port, std::string token, session_ref ref,
                 std::int64_t from);

  void start();
  bool answered() const { return answered_; }
  std::chrono::steady_clock::time_point answered_at() const { return answered_at_; }
  int attempts() const { return attempts_; }
  /// Why the last attempt failed (for a probe that never answered).
  const std::string& last_failure() const { return last_failure_; }
  /// Ends the probe's connection, answered or not.
  void stop();
  /// Stopped, and its connection is gone.
  bool finished() const { return stopped_ && (!client_ || client_->ended()); }

 private:
  void on_output(std::string_view bytes);
  void on_closed(const std::string& why);
  void type_marker();

  boost::asio::io_context& io_;
  int port_;
  std::string token_;
  session_ref ref_;
  std::int64_t from_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<testing::async_terminal_client> client_;
  bool attached_ = false;
  bool answered_ = false;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point answered_at_;
  int attempts_ = 0;
  std::string last_failure_;
};

}  // namespace berth::bench
