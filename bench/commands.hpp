#pragma once

#include <string>
#include <vector>

namespace berth::bench {

/// What the benchmarks take from `berth`'s configuration (app/config.hpp); every other
/// setting reaches a `berth serve` child through the environment it inherits.
struct settings {
  /// The PostgreSQL server the scratch databases are made on.
  std::string database_url;
  std::string keeper_binary;
  /// The image of the server's workspaces (`bench sessions`).
  std::string workspace_image;
};

/// `berth bench NAME [flags]`: runs one benchmark, which prints its result as one JSON line
/// on stdout. Returns the exit code.
int run_bench(const settings& cfg, const std::vector<std::string>& args);

/// The `berth --help` lines of the benchmarks.
extern const char* const usage;

/// `berth bench eventstore [--seconds N] [--event-bytes N] [--replay-events N]`.
int run_bench_eventstore(const settings& cfg, const std::vector<std::string>& args);
/// `berth bench terminal-path [--image IMAGE] [--round-trips N] [--megabytes N]`.
int run_bench_terminal_path(const settings& cfg, const std::vector<std::string>& args);
/// `berth bench api [--clients N] [--users N] [--workspaces N] [--seconds N]`.
int run_bench_api(const settings& cfg, const std::vector<std::string>& args);
/// `berth bench screen [--runs N]`.
int run_bench_screen(const settings& cfg, const std::vector<std::string>& args);
/// `berth bench sessions [--samples N] [--concurrent N] [--recovery N] [--megabytes N]`.
int run_bench_sessions(const settings& cfg, const std::vector<std::string>& args);

/// Exit codes, the same as every `berth` subcommand's (app/commands.hpp).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

}  // namespace berth::bench
