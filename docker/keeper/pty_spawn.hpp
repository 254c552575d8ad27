#pragma once
// Starting a process on a fresh pseudo-terminal, as the session leader with the terminal as
// its controlling tty, the way sshd or a terminal emulator does.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "docker/keeper/unique_fd.hpp"

namespace berth::keeper {

/// What to run and how. Environment entries may be secrets: never log them.
struct spawn_request {
  std::uint16_t cols = 80;
  std::uint16_t rows = 24;
  /// Tried first; then $HOME, then /.
  std::string cwd;
  /// NAME=VALUE entries laid over the keeper's own environment.
  std::vector<std::string> env;
  /// Empty means a login shell: bash -l when present, else /bin/sh -l.
  std::vector<std::string> argv;
};

/// A running child and the PTY master (non-blocking) that carries its terminal.
struct spawned_process {
  unique_fd master;
  pid_t pid = -1;
};

/// Why a spawn failed, fit for an error frame (names the program, never the environment).
struct spawn_failure {
  std::string message;
};

/// Starts the process; returns after it has exec'd (or failed to).
std::variant<spawned_process, spawn_failure> spawn_in_pty(const spawn_request& request);

/// Sets the terminal size; the kernel sends SIGWINCH to the foreground process group.
bool set_window_size(int master, std::uint16_t cols, std::uint16_t rows);

}  // namespace berth::keeper
