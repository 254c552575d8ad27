#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "telemetry/log.hpp"

namespace {

constexpr const char* usage = R"(berth — workspaces and terminals that never lose a byte

Usage:
  berth serve                  migrate, then serve HTTP (GET /healthz) until SIGTERM
  berth migrate                apply missing database migrations
  berth admin create-user --username NAME --role member|auditor|admin
                               add a user; the password is the first line of standard input;
                               prints the new user's id
  berth admin bootstrap --password-file PATH
                               when no enabled admin exists, create user `admin` with a random
                               password written to PATH (mode 0600); otherwise do nothing
  berth projections list       the read models
  berth projections rebuild NAME
                               empty one read model and replay the whole event log into it
  berth audit verify [--json]  recompute every stream's hash chain; prints OK, or each broken
                               stream and the first broken link (exit 1)
  berth audit history --workspace ID [--at TIME] [--json]
                               every event of a workspace and its state at TIME (RFC 3339 or
                               ms since the epoch; default now), folded from the event log
  berth audit export-session SESSION --format asciicast-v2|asciicast-v3 [--output FILE] [--input]
                               a session's recording for asciinema (stdout without --output;
                               --input adds typed input as `i` events)
  berth bench api [--clients N] [--users N] [--workspaces N] [--seconds N]
                               REST latency per route with N workspaces (default 8 clients, 100
                               users, 10000 workspaces, 5 s per route; Docker left out) and the
                               time to rebuild every workspace actor with and without snapshots
  berth bench eventstore [--seconds N] [--event-bytes N]
                               event-store append/replay throughput against a raw INSERT baseline
  berth bench sessions [--samples N] [--concurrent N] [--recovery N] [--megabytes N]
                               terminal sessions end to end on a `berth serve` child with Docker:
                               echo latency and output throughput through a session WebSocket
                               against a raw docker exec, N concurrent sessions (p99, server RSS
                               per session) and the time until N sessions answer again after a
                               kill -9 and restart (default 200 samples, 200 concurrent, 100
                               recovered, 20 MiB; image BERTH_WORKSPACE_IMAGE)
  berth bench terminal-path [--image IMAGE] [--round-trips N] [--megabytes N]
                               echo latency and output throughput through keeper attach against
                               a raw docker exec, in one workspace container (image defaults to
                               BERTH_WORKSPACE_IMAGE; 1000 round trips, 64 MiB; MB = 10^6 bytes)
  berth --help                 this text

)";

}  // namespace

int main(int argc, char** argv) {
  using namespace berth::app;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage << config_help();
    return args.empty() ? exit_usage : exit_ok;
  }
  const std::string command = args[0];
  auto loaded = load_config({args.begin() + 1, args.end()});
  if (!loaded) {
    std::cerr << "berth: " << loaded.error() << "\n";
    return exit_usage;
  }
  const auto& cfg = loaded->values;
  berth::telemetry::level level{};
  if (!berth::telemetry::parse_level(cfg.log_level, level)) {
    std::cerr << "berth: unknown log level " << cfg.log_level << "\n";
    return exit_usage;
  }
  berth::telemetry::set_min_level(level);
  const auto& rest = loaded->rest;
  const auto reject_extra = [&](std::size_t allowed) {
    if (rest.size() <= allowed) return false;
    std::cerr << "berth " << command << ": unexpected argument " << rest[allowed]
              << " (see berth --help)\n";
    return true;
  };
  if (command == "serve") return reject_extra(0) ? exit_usage : run_serve(cfg);
  if (command == "migrate") return reject_extra(0) ? exit_usage : run_migrate(cfg);
  if (command == "projections") return run_projections(cfg, rest);
  if (command == "admin") return run_admin(cfg, rest);
  if (command == "audit") return run_audit(cfg, rest);
  if (command == "bench") {
    if (rest.empty()) {
      std::cerr << "berth bench: name a benchmark (api, eventstore, sessions, terminal-path)\n";
      return exit_usage;
    }
    if (rest[0] == "api") return run_bench_api(cfg, {rest.begin() + 1, rest.end()});
    if (rest[0] == "eventstore") return run_bench_eventstore(cfg, {rest.begin() + 1, rest.end()});
    if (rest[0] == "sessions") return run_bench_sessions(cfg, {rest.begin() + 1, rest.end()});
    if (rest[0] == "terminal-path") {
      return run_bench_terminal_path(cfg, {rest.begin() + 1, rest.end()});
    }
    std::cerr << "berth bench: unknown benchmark " << rest[0] << "\n";
    return exit_usage;
  }
  std::cerr << "berth: unknown command " << command << " (see berth --help)\n";
  return exit_usage;
}
