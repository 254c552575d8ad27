// `berth bench sessions`: terminal sessions end to end. It runs a real `berth serve` (this
// executable) with Docker on a scratch database and measures in the server's own workspace
// containers:
// - raw: the floor. Echo round trips through `cat` in a non-TTY `docker exec`, one byte at a
//   time, and bulk output (`x`s from `head | tr`) through such an exec.
// - ws: the same through a session's WebSocket. The shell is turned into a raw-mode `cat`
//   without echo, so each typed byte comes back once, as through the raw `cat`; bulk output is
//   the same command typed into the shell, read while acking. `mb_per_s_unrecorded` is that
//   command run as a keeper session read through `keeper attach` in the same container: the
//   session's pipeline minus the event store's recording, the screen model and HTTP/WebSocket,
//   because the server has no switch to skip recording output.
// - concurrent_N: N sessions each typing one echo a second for 10 s (p99 of all round trips),
//   and the server's RSS growth per session once all are attached and idle again.
// - recovery_N_ms: with N live sessions (no client attached), the server is killed with
//   SIGKILL and started again on the same database and port; the time from the restart until
//   every session, resumed with `?from=<its last offset>`, has echoed a typed byte.
// - long_recovery: one session prints --long-megabytes MiB, another nothing; after a kill -9
//   the time until each answers (session_long.cpp), the empty one being the baseline.
// - telemetry: the ws echo and output once more against a server with tracing and metrics
//   off, then against one exporting every span to a local OTLP collector; ratios on/off.
// Single-session round trips are paced at 100 a second, raw and ws alike, because the server
// closes a WebSocket that sends more than 200 messages a second.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "accounts/accounts.hpp"
#include "bench/commands.hpp"
#include "bench/session_long.hpp"
#include "bench/session_probes.hpp"
#include "bench/session_run.hpp"
#include "bench/stats.hpp"
#include "bench/terminal_path_probes.hpp"
#include "docker/workspace_container.hpp"
#include "events/event_store.hpp"
#include "events/migrations.hpp"
#include "testing/local_collector.hpp"
#include "testing/scratch_database.hpp"

namespace berth::bench {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;
using milliseconds_double = std::chrono::duration<double, std::milli>;

/// Least time between two typed bytes of one connection: 100 a second, half the server's
/// WebSocket message limit (terminal::message_rate_limiter), leaving room for acks.
constexpr std::chrono::milliseconds echo_pause{10};
constexpr int concurrent_round_trips = 10;  ///< one a second
/// Limit on any one WebSocket phase and on recovery.
constexpr std::chrono::seconds phase_deadline{300};
constexpr const char* bench_password = "bench-password";

double rounded(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

json::object latency_summary(const std::vector<double>& samples) {
  return {{"p50_ms", rounded(percentile(samples, 0.50), 3)},
          {"p99_ms", rounded(percentile(samples, 0.99), 3)}};
}

/// raw: echo round trips and bulk output through plain `docker exec`s.
probe_result<json::object> measure_raw(sessions_bench_run& run) {
  net::io_context io;
  const auto container = run.container(0);
  if (auto ready = wait_for_keeper(run.docker, io, container); !ready)
    return tl::unexpected(ready.error());
  auto echo = measure_raw_echo(run.docker, io, container, run.options.samples, echo_pause);
  if (!echo) return tl::unexpected(echo.error());
  auto bulk =
      measure_raw_bulk(run.docker, io, container, text_command(run.options.megabytes), false);
  if (!bulk) return tl::unexpected(bulk.error());
  auto out = latency_summary(*echo);
  out["mb_per_s"] = rounded(*bulk, 1);
  return out;
}

/// ws echo: a session's `cat`, one byte per round trip.
probe_result<std::vector<double>> measure_ws_echo(sessions_bench_run& run) {
  auto refs = open_sessions(run, 1);
  if (!refs) return tl::unexpected(refs.error());
  net::io_context io;
  auto cats = attach_cats(io, run.port, run.token, *refs);
  if (!cats) return tl::unexpected(cats.error());
  auto& cat = *cats->front();
  echo_counter echo{io, run.options.samples, [&] { cat.client().send_input("x"); }, echo_pause};
  bool done = false;
  cat.on_echo = [&](std::string_view bytes) { done = done || echo.on_echo(bytes.size()); };
  echo.begin();
  const bool finished = run_until(
      io, [&] { return done || !cat.ended().empty(); }, phase_deadline);
  const auto ended = cat.ended();
  auto samples = std::move(echo.samples());
  close_cats(io, *cats);
  if (!done) return tl::unexpected("ws echo: " + (finished ? ended : std::string("timed out")));
  if (auto closed = close_sessions(run, *refs); !closed) return tl::unexpected(closed.error());
  return samples;
}

/// ws bulk: the raw probe's command typed into a session's shell, read while acking.
probe_result<double> measure_ws_bulk(sessions_bench_run& run) {
  auto refs = open_sessions(run, 1);
  if (!refs) return tl::unexpected(refs.error());
  const auto command = text_command(run.options.megabytes);
  bulk_reader reader(command.argv.back());
  net::io_context io;
  std::string ended;
  std::shared_ptr<testing::async_terminal_client> client;
  client = testing::async_terminal_client::start(
      io, run.port, refs->front().ws_target(0), run.token,
      {.on_attached = [&](std::int64_t) { client->send_input(reader.typed()); },
       .on_status = {},
       .on_output = [&](std::int64_t, std::string_view bytes) { reader.on_output(bytes); },
       .on_closed = [&](const std::string& why) { ended = why.empty() ? "closed" : why; }});
  const bool finished = run_until(
      io, [&] { return reader.done() || !ended.empty(); }, phase_deadline);
  client->close();
  run_until(
      io, [&] { return !ended.empty(); }, std::chrono::seconds(10));
  if (!reader.done())
    return tl::unexpected("ws bulk: " + (finished ? ended : std::string("timed out")));
  if (reader.meter().bytes() != command.bytes) {
    return tl::unexpected("ws bulk: read " + std::to_string(reader.meter().bytes()) + " of " +
                          std::to_string(command.bytes) + " bytes");
  }
  if (auto closed = close_sessions(run, *refs); !closed) return tl::unexpected(closed.error());
  return reader.meter().mb_per_s();
}

/// A session left running for the recovery phase, with the end of the output its client saw.
struct live_session {
  session_ref ref;
  std::int64_t offset = 0;
};

/// concurrent_N: N sessions typing one echo a second; the server's RSS before and after.
probe_result<json::object> measure_concurrent(sessions_bench_run& run,
                                              std::vector<live_session>& live) {
  const auto count = run.options.concurrent;
  const auto rss_before = run.server->rss_kib();
  auto refs = open_sessions(run, count);
  if (!refs) return tl::unexpected(refs.error());
  std::cerr << "bench: " << count << " sessions open, attaching...\n";
  net::io_context io;
  auto cats = attach_cats(io, run.port, run.token, *refs);
  if (!cats) return tl::unexpected(cats.error());
  std::cerr << "bench: typing one byte a second in each for " << concurrent_round_trips
            << " s...\n";
  std::mt19937 random(42);
  std::uniform_int_distribution<int> spread(0, 999);
  for (auto& cat : *cats)
    cat->type_every_second(std::chrono::milliseconds(spread(random)), concurrent_round_trips);
  const bool finished = run_until(
      io,
      [&] {
        return std::none_of(cats->begin(), cats->end(),
                            [](const auto& cat) { return cat->typing() && cat->ended().empty(); });
      },
      phase_deadline);
  std::vector<double> samples;
  std::string failure = finished ? std::string{} : "round trips still out after the deadline";
  for (auto& cat : *cats) {
    if (!cat->ended().empty()) failure = "a session's WebSocket ended: " + cat->ended();
    samples.insert(samples.end(), cat->samples().begin(), cat->samples().end());
  }
  // Idle and attached: a second for the last events to be recorded and buffers to settle.
  io.restart();
  io.run_for(std::chrono::seconds(1));
  const auto rss_after = run.server->rss_kib();
  for (auto& cat : *cats)
    live.push_back({cat->ref(), cat->client().received_end()});
  close_cats(io, *cats);
  if (!failure.empty()) return tl::unexpected(failure);
  std::cerr << "bench: " << samples.size() << " round trips: p50 "
            << rounded(percentile(samples, 0.5), 3) << " ms, p99 "
            << rounded(percentile(samples, 0.99), 3) << " ms, max "
            << rounded(percentile(samples, 1.0), 3) << " ms; server RSS " << rss_before
            << " KiB before opening the sessions, " << rss_after
            << " KiB with all attached and idle\n";
  return json::object{
      {"p99_ms", rounded(percentile(samples, 0.99), 3)},
      {"rss_kib_per_session",
       rounded(static_cast<double>(rss_after - rss_before) / static_cast<double>(count), 1)}};
}

/// recovery_N_ms: kill -9 with N live sessions, restart, time until every one answers.
probe_result<double> measure_recovery(sessions_bench_run& run, std::vector<live_session> live) {
  const auto count = static_cast<std::size_t>(run.options.recovery);
  if (live.size() > count) {
    std::vector<session_ref> extra;
    for (auto i = count; i < live.size(); ++i)
      extra.push_back(live[i].ref);
    if (auto closed = close_sessions(run, extra); !closed) return tl::unexpected(closed.error());
    live.resize(count);
  } else if (live.size() < count) {
    auto refs =
        open_sessions(run, static_cast<int>(count - live.size()), static_cast<int>(live.size()));
    if (!refs) return tl::unexpected(refs.error());
    net::io_context io;
    auto cats = attach_cats(io, run.port, run.token, *refs);
    if (!cats) return tl::unexpected(cats.error());
    for (auto& cat : *cats)
      live.push_back({cat->ref(), cat->client().received_end()});
    close_cats(io, *cats);
  }
  std::cerr << "bench: kill -9 the server with " << live.size() << " live sessions...\n";
  run.server->kill_hard();
  run.server.reset();
  const auto restarted_at = clock_type::now();
  if (auto started = start_server(run, "127.0.0.1:" + std::to_string(run.port)); !started) {
    return tl::unexpected(started.error());
  }
  const auto listening_ms = milliseconds_double(clock_type::now() - restarted_at).count();
  net::io_context io;
  std::vector<std::shared_ptr<recovery_probe>> probes;
  for (const auto& session : live) {
    probes.push_back(
        std::make_shared<recovery_probe>(io, run.port, run.token, session.ref, session.offset));
    probes.back()->start();
  }
  const bool all = run_until(
      io,
      [&] {
        return std::all_of(probes.begin(), probes.end(),
                           [](const auto& probe) { return probe->answered(); });
      },
      phase_deadline);
  int attempts = 0;
  std::string failure;
  for (const auto& probe : probes) {
    attempts += probe->attempts();
    if (!probe->answered()) failure = probe->last_failure();
    probe->stop();
  }
  run_until(
      io,
      [&] {
        return std::all_of(probes.begin(), probes.end(),
                           [](const auto& probe) { return probe->finished(); });
      },
      std::chrono::seconds(10));
  if (!all) return tl::unexpected("sessions did not answer after the restart: " + failure);
  std::vector<double> answered_ms;
  for (const auto& probe : probes)
    answered_ms.push_back(milliseconds_double(probe->answered_at() - restarted_at).count());
  const auto recovered_ms = percentile(answered_ms, 1.0);
  std::cerr << "bench: the server listened " << std::lround(listening_ms)
            << " ms after the restart; the first session answered after "
            << std::lround(percentile(answered_ms, 0.0)) << " ms, half after "
            << std::lround(percentile(answered_ms, 0.5)) << " ms, all after "
            << std::lround(recovered_ms) << " ms (" << attempts << " connections)\n";
  return recovered_ms;
}

/// telemetry: the session echo and output again on servers with tracing and metrics off and
/// on servers exporting every span to a local OTLP collector (every 200 ms, so export runs
/// during the measurement), two rounds each; the ratios on/off.
probe_result<json::object> measure_telemetry_cost(sessions_bench_run& run) {
  testing::local_collector collector(/*keep_requests=*/false);
  json::object cost;
  // Rounds off, on, on, off (ABBA), so a drift over the run weighs on both sides alike; each
  // side's figures are the means of its two rounds.
  double echo_p50[2] = {}, echo_p99[2] = {}, mb_per_s[2] = {};
  for (const bool exporting : {false, true, true, false}) {
    std::cerr << "bench: telemetry " << (exporting ? "exporting" : "off")
              << ": echo round trips and output...\n";
    run.server.reset();
    run.telemetry_environment =
        exporting ? std::map<std::string, std::string>{{"OTEL_EXPORTER_OTLP_ENDPOINT",
                                                        collector.endpoint()},
                                                       {"OTEL_BSP_SCHEDULE_DELAY", "200"}}
                  : std::map<std::string, std::string>{{"OTEL_SDK_DISABLED", "true"},
                                                       {"BERTH_METRICS", "off"}};
    if (auto started = start_server(run, "127.0.0.1:0"); !started)
      return tl::unexpected(started.error());
    auto echo = measure_ws_echo(run);
    if (!echo) return tl::unexpected(echo.error());
    auto bulk = measure_ws_bulk(run);
    if (!bulk) return tl::unexpected(bulk.error());
    echo_p50[exporting] += percentile(*echo, 0.5) / 2;
    echo_p99[exporting] += percentile(*echo, 0.99) / 2;
    mb_per_s[exporting] += *bulk / 2;
  }
  for (const bool exporting : {false, true}) {
    cost[exporting ? "exporting" : "off"] =
        json::object{{"p50_ms", rounded(echo_p50[exporting], 3)},
                     {"p99_ms", rounded(echo_p99[exporting], 3)},
                     {"mb_per_s", rounded(mb_per_s[exporting], 1)}};
  }
  // Back to the default settings for whatever runs next.
  run.server.reset();
  run.telemetry_environment.clear();
  if (auto started = start_server(run, "127.0.0.1:0"); !started)
    return tl::unexpected(started.error());
  cost["throughput_ratio"] = rounded(mb_per_s[1] / std::max(mb_per_s[0], 1e-9), 3);
  cost["echo_p50_ratio"] = rounded(echo_p50[1] / std::max(echo_p50[0], 1e-9), 3);
  cost["otlp_requests"] = collector.request_count();
  return cost;
}

probe_result<json::object> run_phases(sessions_bench_run& run) {
  const auto& options = run.options;
  if (auto started = start_server(run, "127.0.0.1:0"); !started)
    return tl::unexpected(started.error());
  if (auto logged_in = log_in(run, "bench", bench_password); !logged_in)
    return tl::unexpected(logged_in.error());
  const auto workspaces =
      std::max(1, (std::max(options.concurrent, options.recovery) + options.per_workspace - 1) /
                      options.per_workspace);
  std::cerr << "bench: creating and starting " << workspaces << " workspaces...\n";
  if (auto created = create_workspaces(run, workspaces); !created)
    return tl::unexpected(created.error());

  std::cerr << "bench: raw docker exec: " << options.samples << " echo round trips, "
            << options.megabytes << " MiB of output...\n";
  auto raw = measure_raw(run);
  if (!raw) return tl::unexpected(raw.error());
  std::cerr << "bench: session WebSocket: " << options.samples << " echo round trips...\n";
  auto ws_echo = measure_ws_echo(run);
  if (!ws_echo) return tl::unexpected(ws_echo.error());

  // Sessions come before bulk output: its transient buffers would otherwise be counted for
  // (or, once freed, against) the sessions' memory. Bulk output then runs on the restarted
  // server, next to the recovered sessions.
  std::cerr << "bench: " << options.concurrent << " concurrent sessions...\n";
  std::vector<live_session> live;
  auto concurrent = measure_concurrent(run, live);
  if (!concurrent) return tl::unexpected(concurrent.error());
  auto recovery = measure_recovery(run, std::move(live));
  if (!recovery) return tl::unexpected(recovery.error());

  std::cerr << "bench: session WebSocket: " << options.megabytes << " MiB of output...\n";
  auto ws_bulk = measure_ws_bulk(run);
  if (!ws_bulk) return tl::unexpected(ws_bulk.error());
  std::cerr << "bench: unrecorded: the same output through keeper attach (no event store, no "
               "screen model, no WebSocket)...\n";
  net::io_context io;
  auto unrecorded = measure_keeper_bulk(run.docker, io, run.container(0),
                                        text_command(options.megabytes), "bench-unrecorded");
  if (!unrecorded) return tl::unexpected(unrecorded.error());
  auto ws = latency_summary(*ws_echo);
  ws["mb_per_s"] = rounded(*ws_bulk, 1);
  ws["mb_per_s_unrecorded"] = rounded(*unrecorded, 1);
  auto long_recovery = measure_long_recovery(run, options.long_megabytes);
  if (!long_recovery) return tl::unexpected(long_recovery.error());
  auto cost = measure_telemetry_cost(run);
  if (!cost) return tl::unexpected(cost.error());
  json::object out{
      {"raw", std::move(*raw)}, {"ws", std::move(ws)}, {"telemetry", std::move(*cost)}};
  out["concurrent_" + std::to_string(options.concurrent)] = std::move(*concurrent);
  out["recovery_" + std::to_string(options.recovery) + "_ms"] = std::lround(*recovery);
  out["recovery_workspaces"] = run.workspace_ids.size();
  out["long_recovery"] = std::move(*long_recovery);
  return out;
}

std::optional<sessions_bench_options> parse_options(const std::vector<std::string>& args) {
  sessions_bench_options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    try {
      if (args[i] == "--samples" && has_value) {
        options.samples = std::stoi(args[++i]);
      } else if (args[i] == "--concurrent" && has_value) {
        options.concurrent = std::stoi(args[++i]);
      } else if (args[i] == "--recovery" && has_value) {
        options.recovery = std::stoi(args[++i]);
      } else if (args[i] == "--megabytes" && has_value) {
        options.megabytes = std::stoul(args[++i]);
      } else if (args[i] == "--long-megabytes" && has_value) {
        options.long_megabytes = std::stoul(args[++i]);
      } else if (args[i] == "--per-workspace" && has_value) {
        options.per_workspace = std::stoi(args[++i]);
      } else {
        std::cerr << "berth bench sessions: unknown argument " << args[i]
                  << " (flags: --samples N, --concurrent N, --recovery N, --megabytes N, "
                     "--long-megabytes N, --per-workspace N)\n";
        return std::nullopt;
      }
    } catch (const std::exception&) {
      std::cerr << "berth bench sessions: " << args[i] << " needs a number\n";
      return std::nullopt;
    }
  }
  if (options.samples < 1 || options.concurrent < 1 || options.recovery < 1 ||
      options.megabytes < 1 || options.long_megabytes < 1 || options.per_workspace < 1) {
    std::cerr << "berth bench sessions: every number must be positive\n";
    return std::nullopt;
  }
  return options;
}

}  // namespace

int run_bench_sessions(const settings& cfg, const std::vector<std::string>& args) {
  auto options = parse_options(args);
  if (!options) return exit_usage;
  if (cfg.database_url.empty()) {
    std::cerr << "berth bench: set --database-url or BERTH_DATABASE_URL\n";
    return exit_usage;
  }
  if (auto keeper = docker::load_keeper_binary(cfg.keeper_binary); !keeper) {
    std::cerr << "berth bench sessions: " << keeper.error()
              << " (set --keeper-binary or BERTH_KEEPER_BINARY)\n";
    return exit_usage;
  }
  auto docker = docker::client::connect();
  if (!docker) {
    std::cerr << "berth bench sessions: " << docker::describe(docker.error()) << "\n";
    return exit_failure;
  }
  auto database = testing::scratch_database::create(cfg.database_url, "berth_bench_sessions");
  if (!database) {
    std::cerr << "berth bench: cannot create a scratch database: " << database.error().message
              << "\n";
    return exit_failure;
  }
  if (auto migrated = events::migrate(database->url()); !migrated) {
    std::cerr << "berth bench: migration failed: " << migrated.error().message << "\n";
    return exit_failure;
  }
  {
    // The user is made in-process with the cheapest Argon2id cost, as in `bench api`.
    events::event_store store({database->url()});
    accounts::account_service::options account_options;
    account_options.database_url = database->url();
    account_options.jwt_secret = std::string(32, 'b');
    account_options.password_limits = auth::password_limits::minimum();
    accounts::account_service accounts(store, account_options);
    if (!accounts.create_user("bench", bench_password, accounts::role::member, {})) {
      std::cerr << "berth bench sessions: cannot create the user\n";
      return exit_failure;
    }
    // The bench measures the server, not a member's quota (by default 5 running workspaces).
    if (!accounts.set_limits(accounts::quota_table{}, {})) {
      std::cerr << "berth bench sessions: cannot lift the quotas\n";
      return exit_failure;
    }
  }
  const auto data_dir =
      std::filesystem::temp_directory_path() / ("berth-bench-sessions-" + std::to_string(getpid()));
  std::filesystem::create_directories(data_dir);
  sessions_bench_run run{cfg, *options, database->url(), data_dir, *docker, {}, 0, 0, {}, {}};
  probe_result<json::object> output = tl::unexpected(std::string("not run"));
  try {
    output = run_phases(run);
  } catch (const std::exception& problem) {
    output = tl::unexpected(std::string("HTTP: ") + problem.what());
  }
  clean_up(run);
  if (!output) {
    std::cerr << "berth bench sessions: " << output.error() << " (server logs kept in "
              << data_dir.string() << ")\n";
    return exit_failure;
  }
  std::filesystem::remove_all(data_dir);
  std::cout << json::serialize(*output) << std::endl;
  return exit_ok;
}

}  // namespace berth::bench
