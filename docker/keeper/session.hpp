#pragma once
// One terminal session: the process on its PTY, the output journal and the input queue.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "docker/keeper/journal.hpp"
#include "docker/keeper/messages.hpp"
#include "docker/keeper/unique_fd.hpp"

namespace berth::keeper {

using steady_time = std::chrono::steady_clock::time_point;

/// State of one session; the server drives it, this struct only holds it.
struct session {
  session(std::string session_id, pid_t process, unique_fd pty_master, std::uint16_t columns,
          std::uint16_t lines, std::size_t journal_bytes)
      : id(std::move(session_id)),
        pid(process),
        master(std::move(pty_master)),
        cols(columns),
        rows(lines),
        output(journal_bytes) {}

  std::string id;
  pid_t pid;
  /// Closed once the terminal hangs up (every slave closed) or after the drain grace.
  unique_fd master;
  std::uint16_t cols;
  std::uint16_t rows;
  journal output;
  /// Input not yet accepted by the terminal.
  std::string pending_input;

  /// Set when the process has been waited for.
  std::optional<exit_status> status;
  /// After the process ends, output still buffered in the terminal is read until this time.
  std::optional<steady_time> drain_deadline;

  /// Close requested: SIGHUP sent, SIGKILL due at kill_deadline unless the process ends first.
  bool closing = false;
  std::optional<steady_time> kill_deadline;
  /// Connections that asked for the close and get a closed frame.
  std::vector<std::uint64_t> close_requesters;

  /// The process has ended and every byte it wrote is in the journal.
  bool exited() const { return status.has_value() && !master.valid(); }
  /// Input and resize still make sense.
  bool accepts_input() const { return !status.has_value() && !closing && master.valid(); }

  session_state state() const {
    if (closing) return session_state::closing;
    return exited() ? session_state::exited : session_state::running;
  }
};

}  // namespace berth::keeper
