#pragma once

// Probes of the layers under a terminal, inside one workspace container, shared by `bench
// terminal-path` and `bench sessions`: a raw `docker exec` (the floor) and a keeper session
// read through `keeper attach`. Each probe runs its streams on the caller's io_context until
// they are done.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <tl/expected.hpp>

#include "docker/client.hpp"

namespace berth::bench {

/// A probe's outcome, or what went wrong in words.
template <class T>
using probe_result = tl::expected<T, std::string>;

/// Round trips run before measuring, so connection set-up and page faults are not counted.
inline constexpr int warm_up_round_trips = 20;

/// Runs io until the phase's streams are done; fails when that takes longer than 5 minutes.
probe_result<void> run_phase(boost::asio::io_context& io, const char* what);

/// Counts echo round trips: send one byte, wait for it, repeat; records all but the warm-up.
/// With a `pause`, the next byte goes no sooner than `pause` after the previous one was sent
/// (a WebSocket client must stay under the server's message rate).
class echo_counter {
 public:
  echo_counter(boost::asio::io_context& io, int round_trips, std::function<void()> send_byte,
               std::chrono::microseconds pause = {});

  void begin();
  /// Bytes came back; true when every round trip is done.
  bool on_echo(std::size_t bytes);
  std::vector<double>& samples() { return samples_; }

 private:
  void send_next();

  boost::asio::steady_timer timer_;
  int wanted_;
  std::function<void()> send_byte_;
  std::chrono::microseconds pause_;
  int sent_ = 1;
  std::size_t received_ = 0;
  std::chrono::steady_clock::time_point sent_at_;
  std::vector<double> samples_;
};

/// Counts bulk bytes from the first one to the last.
class throughput_meter {
 public:
  void on_bytes(std::size_t count);
  std::size_t bytes() const { return bytes_; }
  /// MB (10^6 bytes) per second between the first and the last bytes.
  double mb_per_s() const;

 private:
  std::size_t bytes_ = 0;
  std::chrono::steady_clock::time_point first_, last_;
};

/// A command that prints exactly `bytes` bytes, for bulk probes.
struct bulk_command {
  std::vector<std::string> argv;
  std::size_t bytes = 0;
};
/// `head -c <megabytes>M /dev/zero`: the cheapest output there is.
bulk_command zeros_command(std::size_t megabytes);
/// The same number of `x`s (`head ... | tr`): text a terminal's screen model has to lay out.
bulk_command text_command(std::size_t megabytes);

/// Echo round trips (ms) through `cat` in a non-TTY exec, one byte at a time.
probe_result<std::vector<double>> measure_raw_echo(docker::client& docker,
                                                   boost::asio::io_context& io,
                                                   const std::string& container, int round_trips,
                                                   std::chrono::microseconds pause = {});
/// MB/s of `command`'s output through an exec, with or without a TTY (a terminal's output
/// always crosses a PTY, which costs by itself: `tty` measures that floor).
probe_result<double> measure_raw_bulk(docker::client& docker, boost::asio::io_context& io,
                                      const std::string& container, const bulk_command& command,
                                      bool tty);
/// Echo round trips (ms) through a raw-mode `cat` in a keeper session.
probe_result<std::vector<double>> measure_keeper_echo(docker::client& docker,
                                                      boost::asio::io_context& io,
                                                      const std::string& container,
                                                      int round_trips);
/// MB/s of `command` run as a keeper session named `session`, read through `keeper attach`
/// acking every output frame as it arrives.
probe_result<double> measure_keeper_bulk(docker::client& docker, boost::asio::io_context& io,
                                         const std::string& container, const bulk_command& command,
                                         const std::string& session);
/// Waits until the keeper in a just-started container answers a link with its hello.
probe_result<void> wait_for_keeper(docker::client& docker, boost::asio::io_context& io,
                                   const std::string& container);

}  // namespace berth::bench
