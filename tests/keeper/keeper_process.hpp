#pragma once
// Test helpers: child processes with pipes, and a `keeper serve` running in a temporary
// directory. Waiting is always on a condition with a deadline, never a fixed sleep.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "docker/keeper/unique_fd.hpp"

namespace berth::keeper::testing {

using deadline = std::chrono::steady_clock::time_point;

/// A point in time the given span from now.
deadline in(std::chrono::milliseconds span);

/// Milliseconds left until `until` (0 once it passed), for poll().
int remaining_ms(deadline until);

/// Default patience for anything a test waits for; generous for slow CI machines.
inline constexpr std::chrono::milliseconds patience{20000};

/// Path of the keeper binary under test.
std::string keeper_binary();

/// A child process, killed and reaped when the owner goes away.
class child_process {
 public:
  /// Starts argv with stdin and stdout on pipes held by the test (stderr is inherited).
  static child_process start(const std::vector<std::string>& argv);

  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&&) = delete;
  ~child_process();

  pid_t pid() const { return pid_; }
  /// The write end of the child's stdin; reset it to send EOF.
  unique_fd& stdin_pipe() { return stdin_; }
  /// The read end of the child's stdout.
  unique_fd& stdout_pipe() { return stdout_; }
  void signal(int signal_number) const;
  /// Waits for the child to end; its wait status (also on later calls), or nothing at the
  /// deadline.
  std::optional<int> wait(deadline until);

 private:
  child_process() = default;

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  unique_fd pidfd_;
  unique_fd stdin_;
  unique_fd stdout_;
};

/// `keeper serve` on a socket in a fresh temporary directory.
class keeper_server {
 public:
  /// Extra flags such as {"--journal-bytes", "64K"}; returns once the socket accepts.
  explicit keeper_server(std::vector<std::string> flags = {});
  ~keeper_server();

  const std::string& socket_path() const { return socket_path_; }
  /// A directory tests may use as a working directory.
  const std::string& directory() const { return directory_; }
  /// Whether the keeper process is still running.
  bool alive();
  /// Sends the signal and waits for the keeper to end; its wait status, or nothing at the
  /// deadline.
  std::optional<int> stop(int signal_number);

 private:
  std::string directory_;
  std::string socket_path_;
  std::optional<child_process> process_;
};

}  // namespace berth::keeper::testing
