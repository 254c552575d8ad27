#include "bench/commands.hpp"

#include <iostream>

namespace berth::bench {

const char* const usage =
    R"(  berth bench api [--clients N] [--users N] [--workspaces N] [--seconds N]
                               REST latency per route with N workspaces (default 8 clients, 100
                               users, 10000 workspaces, 5 s per route; Docker left out) and the
                               time to rebuild every workspace actor with and without snapshots
  berth bench eventstore [--seconds N] [--event-bytes N]
                               event-store append/replay throughput against a raw INSERT baseline
  berth bench screen [--runs N]
                               the terminal screen model's throughput against libvterm's own
                               screen: seq 1..3000000 and 50 MB of 100-column lines in 16 KiB
                               chunks to a 24x80 screen, 1000 lines of scrollback (MB = 10^6
                               bytes per second of CPU time, median of 3 runs each)
  berth bench sessions [--samples N] [--concurrent N] [--recovery N] [--megabytes N]
                     [--long-megabytes N] [--per-workspace N]
                               terminal sessions end to end on a `berth serve` child with Docker:
                               echo latency and output throughput through a session WebSocket
                               against a raw docker exec, N concurrent sessions (p99, server RSS
                               per session), the time until N sessions answer again after a
                               kill -9 and restart, and that of a session holding N MiB of
                               output beside an empty one (default 200 samples, 200 concurrent,
                               100 recovered, 20 MiB, 500 MiB; image BERTH_WORKSPACE_IMAGE)
  berth bench terminal-path [--image IMAGE] [--round-trips N] [--megabytes N]
                               echo latency and output throughput through keeper attach against
                               a raw docker exec, in one workspace container (image defaults to
                               BERTH_WORKSPACE_IMAGE; 1000 round trips, 64 MiB; MB = 10^6 bytes)
)";

int run_bench(const settings& cfg, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr
        << "berth bench: name a benchmark (api, eventstore, screen, sessions, terminal-path)\n";
    return exit_usage;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "api") return run_bench_api(cfg, rest);
  if (args[0] == "eventstore") return run_bench_eventstore(cfg, rest);
  if (args[0] == "screen") return run_bench_screen(cfg, rest);
  if (args[0] == "sessions") return run_bench_sessions(cfg, rest);
  if (args[0] == "terminal-path") return run_bench_terminal_path(cfg, rest);
  std::cerr << "berth bench: unknown benchmark " << args[0] << "\n";
  return exit_usage;
}

}  // namespace berth::bench
