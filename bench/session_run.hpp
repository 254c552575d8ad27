#pragma once

// The plumbing of one `bench sessions` run: its `berth serve` child on the scratch database,
// the benchmark user's API token, the workspaces it made, and the HTTP calls that open and
// close sessions. clean_up removes everything the run made in Docker.

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/commands.hpp"
#include "bench/http_client.hpp"
#include "bench/session_probes.hpp"
#include "docker/client.hpp"
#include "testing/server_process.hpp"

namespace berth::bench {

/// The sizes of a `bench sessions` run.
struct sessions_bench_options {
  int samples = 200;           ///< echo round trips per path
  int concurrent = 200;        ///< sessions typing at once
  int recovery = 100;          ///< sessions alive when the server is killed
  std::size_t megabytes = 20;  ///< bulk output per path, in MiB
  /// Output of the session whose recovery is timed beside an empty one's, in MiB.
  std::size_t long_megabytes = 500;
  /// Sessions per workspace container: at most 50 by default, so that no one container's CPU
  /// share and pid limit (the default template's 1 CPU and 512 pids) decides the result; 10
  /// with --recovery 1000 is the 1,000 sessions in 100 workspaces case.
  int per_workspace = 50;
};

/// One run: the server, the user's token and the workspaces that clean_up removes.
struct sessions_bench_run {
  const settings& cfg;  ///< the workspace image and keeper binary the server uses
  sessions_bench_options options;
  std::string database_url;
  std::filesystem::path data_dir;  ///< the server's data folder and logs (serve-N.log)
  docker::client& docker;
  std::optional<testing::server_process> server;
  int server_starts = 0;
  int port = 0;
  std::string token;
  std::vector<std::string> workspace_ids;
  /// Telemetry settings of the next server start (the telemetry cost phase sets them).
  std::map<std::string, std::string> telemetry_environment = {};

  /// A client of the server authenticated with the run's token.
  std::unique_ptr<http_client> http() const;
  /// The container (and volume) name of the run's `workspace`-th workspace.
  std::string container(std::size_t workspace) const;
};

/// Starts the server on `listen` with session limits above the run's needs.
probe_result<void> start_server(sessions_bench_run& run, const std::string& listen);
/// Logs in and keeps an API token for HTTP and WebSocket calls.
probe_result<void> log_in(sessions_bench_run& run, const std::string& username,
                          const std::string& password);
/// Creates and starts `count` workspaces.
probe_result<void> create_workspaces(sessions_bench_run& run, int count);
/// Opens `count` sessions, numbered from `first`, spread over the workspaces round-robin.
probe_result<std::vector<session_ref>> open_sessions(sessions_bench_run& run, int count,
                                                     int first = 0);
/// Closes sessions: their shells end.
probe_result<void> close_sessions(sessions_bench_run& run, const std::vector<session_ref>& refs);
/// Removes the workspaces through the server (containers and volumes), stops it, and removes
/// whatever a failed run left behind straight through Docker.
void clean_up(sessions_bench_run& run);

}  // namespace berth::bench
