// `berth bench terminal-path`: what the keeper costs on the way between Berth and a shell.
// Against one workspace container it measures a raw non-TTY `docker exec` (the floor) and the
// same traffic through `keeper attach` and a keeper session: echo round trips and bulk output.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <tl/expected.hpp>

#include "bench/commands.hpp"
#include "bench/stats.hpp"
#include "bench/terminal_path_probes.hpp"
#include "docker/client.hpp"
#include "docker/workspace_container.hpp"

namespace berth::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct bench_options {
  std::string image;
  int round_trips = 1000;
  std::size_t megabytes = 64;
};

/// Echo latencies and bulk throughput of one path.
struct path_result {
  std::vector<double> round_trip_ms;
  double mb_per_s = 0;
};

/// Raw path: `cat` in a non-TTY exec echoes each byte; `head` streams zeros.
probe_result<path_result> measure_raw(docker::client& docker, boost::asio::io_context& io,
                                      const std::string& container, const bench_options& options) {
  auto echo = measure_raw_echo(docker, io, container, options.round_trips);
  if (!echo) return tl::unexpected(echo.error());
  auto bulk = measure_raw_bulk(docker, io, container, zeros_command(options.megabytes), false);
  if (!bulk) return tl::unexpected(bulk.error());
  return path_result{std::move(*echo), *bulk};
}

/// Keeper path: a raw-mode `cat` in a session echoes each byte; `head` streams zeros.
probe_result<path_result> measure_keeper(docker::client& docker, boost::asio::io_context& io,
                                         const std::string& container,
                                         const bench_options& options) {
  auto echo = measure_keeper_echo(docker, io, container, options.round_trips);
  if (!echo) return tl::unexpected(echo.error());
  auto bulk =
      measure_keeper_bulk(docker, io, container, zeros_command(options.megabytes), "bench-bulk");
  if (!bulk) return tl::unexpected(bulk.error());
  return path_result{std::move(*echo), *bulk};
}

boost::json::object summary(const path_result& result) {
  return {{"p50_ms", percentile(result.round_trip_ms, 0.50)},
          {"p99_ms", percentile(result.round_trip_ms, 0.99)},
          {"mb_per_s", result.mb_per_s}};
}

std::optional<bench_options> parse_options(const std::vector<std::string>& args) {
  bench_options options;
  if (const char* image = std::getenv("BERTH_WORKSPACE_IMAGE")) options.image = image;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    try {
      if (args[i] == "--image" && has_value) {
        options.image = args[++i];
      } else if (args[i] == "--round-trips" && has_value) {
        options.round_trips = std::stoi(args[++i]);
      } else if (args[i] == "--megabytes" && has_value) {
        options.megabytes = std::stoul(args[++i]);
      } else {
        std::cerr << "berth bench terminal-path: unknown argument " << args[i]
                  << " (flags: --image IMAGE, --round-trips N, --megabytes N)\n";
        return std::nullopt;
      }
    } catch (const std::exception&) {
      std::cerr << "berth bench terminal-path: " << args[i] << " needs a number\n";
      return std::nullopt;
    }
  }
  if (options.round_trips < 1 || options.megabytes < 1) {
    std::cerr << "berth bench terminal-path: --round-trips and --megabytes must be positive\n";
    return std::nullopt;
  }
  if (options.image.empty()) {
    std::cerr << "berth bench terminal-path: set --image or BERTH_WORKSPACE_IMAGE "
                 "(e.g. $(scripts/build-image | tail -1))\n";
    return std::nullopt;
  }
  return options;
}

/// Creates and starts the benchmark's workspace, runs both paths, and returns the JSON.
tl::expected<boost::json::object, std::string> run_in_workspace(
    docker::client& docker, const docker::workspace_container_spec& workspace,
    const docker::keeper_binary& keeper, const bench_options& options) {
  auto container = docker::create_workspace_container(docker, workspace, keeper);
  if (!container) return tl::unexpected("create workspace: " + docker::describe(container.error()));
  if (auto started = docker.start_container(*container); !started) {
    return tl::unexpected("start workspace: " + docker::describe(started.error()));
  }
  boost::asio::io_context io;
  if (auto ready = wait_for_keeper(docker, io, *container); !ready) {
    return tl::unexpected(ready.error());
  }
  std::cerr << "bench: raw docker exec, " << options.round_trips << " echo round trips and "
            << options.megabytes << " MiB of output...\n";
  auto raw = measure_raw(docker, io, *container, options);
  if (!raw) return tl::unexpected(raw.error());
  std::cerr << "bench: keeper attach, the same...\n";
  auto kept = measure_keeper(docker, io, *container, options);
  if (!kept) return tl::unexpected(kept.error());
  std::cerr << "bench: raw docker exec with a TTY, " << options.megabytes << " MiB of output...\n";
  auto raw_tty = measure_raw_bulk(docker, io, *container, zeros_command(options.megabytes), true);
  if (!raw_tty) return tl::unexpected(raw_tty.error());
  auto raw_summary = summary(*raw);
  auto keeper_summary = summary(*kept);
  const auto ratio = [](double keeper_value, double raw_value) {
    return raw_value > 0 ? keeper_value / raw_value : 0;
  };
  boost::json::object ratios{
      {"p99", ratio(percentile(kept->round_trip_ms, 0.99), percentile(raw->round_trip_ms, 0.99))},
      {"throughput", ratio(kept->mb_per_s, raw->mb_per_s)},
      {"throughput_vs_raw_tty", ratio(kept->mb_per_s, *raw_tty)}};
  return boost::json::object{{"raw", std::move(raw_summary)},
                             {"raw_tty", {{"mb_per_s", *raw_tty}}},
                             {"keeper", std::move(keeper_summary)},
                             {"ratios", ratios}};
}

}  // namespace

int run_bench_terminal_path(const settings& cfg, const std::vector<std::string>& args) {
  auto options = parse_options(args);
  if (!options) return exit_usage;
  auto keeper = docker::load_keeper_binary(cfg.keeper_binary);
  if (!keeper) {
    std::cerr << "berth bench terminal-path: " << keeper.error()
              << " (set --keeper-binary or BERTH_KEEPER_BINARY)\n";
    return exit_usage;
  }
  auto docker = docker::client::connect();
  if (!docker) {
    std::cerr << "berth bench terminal-path: " << docker::describe(docker.error()) << "\n";
    return exit_failure;
  }
  docker::workspace_container_spec workspace;
  workspace.workspace_id = "bench-" + std::to_string(::getpid()) + "-" +
                           std::to_string(clock_type::now().time_since_epoch().count() % 1000000);
  workspace.owner_id = "bench";
  workspace.image = options->image;
  workspace.extra_labels["berth.bench"] = "1";
  std::cerr << "bench: workspace container "
            << docker::workspace_resource_name(workspace.workspace_id) << " on " << options->image
            << "...\n";
  auto output = run_in_workspace(*docker, workspace, *keeper, *options);
  // Whatever happened, the container and its volume go.
  const auto name = docker::workspace_resource_name(workspace.workspace_id);
  if (auto removed = docker->remove_container(name, {.force = true, .volumes = true});
      !removed && removed.error().code != docker::error_code::not_found) {
    std::cerr << "bench: could not remove container " << name << ": "
              << docker::describe(removed.error()) << "\n";
  }
  if (auto removed = docker->remove_volume(name, true);
      !removed && removed.error().code != docker::error_code::not_found) {
    std::cerr << "bench: could not remove volume " << name << ": "
              << docker::describe(removed.error()) << "\n";
  }
  if (!output) {
    std::cerr << "berth bench terminal-path: " << output.error() << "\n";
    return exit_failure;
  }
  std::cout << boost::json::serialize(*output) << std::endl;
  return exit_ok;
}

}  // namespace berth::bench
