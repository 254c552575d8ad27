#pragma once
// Command line of the keeper binary: `keeper serve [flags]`, `keeper attach [flags]`.

#include <chrono>
#include <cstddef>
#include <string>
#include <variant>

namespace berth::keeper {

/// Socket path used when no --socket flag is given; its directory is created mode 0700.
inline constexpr const char* default_socket_path = "/tmp/.berth-keeper/keeper.sock";

/// Settings of `keeper serve`.
struct serve_options {
  std::string socket_path = default_socket_path;
  /// Journal capacity per session.
  std::size_t journal_bytes = 8 * 1024 * 1024;
  /// Time between SIGHUP and SIGKILL when a session is closed.
  std::chrono::milliseconds kill_after{2000};
};

/// Settings of `keeper attach`.
struct attach_options {
  std::string socket_path = default_socket_path;
};

/// `keeper help` or --help: print usage and succeed.
struct show_help {};

/// A command line that cannot be run; message says why.
struct usage_error {
  std::string message;
};

using command = std::variant<serve_options, attach_options, show_help, usage_error>;

/// Reads the command line (argv[0] excluded from interpretation).
command parse_command_line(int argc, const char* const* argv);

/// The text printed for help and after a usage error.
std::string usage_text();

}  // namespace berth::keeper
