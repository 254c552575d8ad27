#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "bench/commands.hpp"
#include "telemetry/log.hpp"

static_assert(berth::bench::exit_ok == berth::app::exit_ok &&
                  berth::bench::exit_failure == berth::app::exit_failure &&
                  berth::bench::exit_usage == berth::app::exit_usage,
              "`berth bench` exits with the codes every subcommand uses");

namespace {

/// `berth --help` up to the benchmarks' lines (bench/commands.cpp), then what follows them.
constexpr const char* usage_before_bench =
    R"(berth — workspaces and terminals that never lose a byte

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
)";
constexpr const char* usage_after_bench = R"(  berth --help                 this text

)";

}  // namespace

int main(int argc, char** argv) {
  using namespace berth::app;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage_before_bench << berth::bench::usage << usage_after_bench << config_help();
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
    return berth::bench::run_bench({.database_url = cfg.database_url,
                                    .keeper_binary = cfg.keeper_binary,
                                    .workspace_image = cfg.workspace_image},
                                   rest);
  }
  std::cerr << "berth: unknown command " << command << " (see berth --help)\n";
  return exit_usage;
}
