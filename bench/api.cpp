// `berth bench api`: REST latency with many workspaces, and the time to rebuild workspace
// actors from the log. It runs a real `berth serve` (this executable) on a scratch database,
// so the numbers include HTTP, authentication, actors, the event store and read models; Docker
// is left out (workspaces are created with `"start": false`). `routes` are measured with
// tracing and metrics off; then each route runs in three more rounds (exporting, exporting,
// off) against servers exporting every span to a local OTLP collector or not, and
// `telemetry` prints the throughput ratio on/off per route.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "accounts/accounts.hpp"
#include "actors/workspace_service.hpp"
#include "bench/commands.hpp"
#include "bench/http_client.hpp"
#include "bench/stats.hpp"
#include "events/event_store.hpp"
#include "events/migrations.hpp"
#include "testing/local_collector.hpp"
#include "testing/scratch_database.hpp"
#include "testing/server_process.hpp"

namespace berth::bench {
namespace {

namespace beast = boost::beast;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

struct bench_options {
  int clients = 8;
  int users = 100;
  int workspaces = 10'000;
  double seconds = 5;  ///< per measured route
};

/// Latencies of one route, merged from every client.
struct route_samples {
  std::mutex mutex;
  std::vector<double> milliseconds;
  double wall_seconds = 0;
  void add(std::vector<double>& local) {
    std::lock_guard lock(mutex);
    milliseconds.insert(milliseconds.end(), local.begin(), local.end());
  }
  json::object summary() {
    const auto count = static_cast<double>(milliseconds.size());
    return {{"rps", std::round(count / std::max(wall_seconds, 1e-9))},
            {"p50_ms", percentile(milliseconds, 0.5)},
            {"p99_ms", percentile(milliseconds, 0.99)},
            {"requests", milliseconds.size()}};
  }
};

/// Runs `clients` threads calling `once(client index, iteration)` until `done()`.
template <class Once, class Done>
void run_clients(int clients, route_samples& samples, Once once, Done done) {
  std::vector<std::thread> threads;
  const auto started = clock_type::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> local;
      for (std::int64_t i = 0; !done(); ++i) {
        const auto before = clock_type::now();
        if (!once(c, i)) break;
        local.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - before).count());
      }
      samples.add(local);
    });
  }
  for (auto& thread : threads)
    thread.join();
  samples.wall_seconds = std::chrono::duration<double>(clock_type::now() - started).count();
}

/// Rebuilds every workspace's state in a fresh actor system with a fresh event store (new
/// connections, statements planned anew), as a restarted server would; milliseconds of wall
/// time.
double time_recovery(const std::string& database_url, const std::vector<std::string>& ids,
                     bool use_snapshots, std::int64_t snapshot_every, int clients) {
  events::event_store store({database_url});
  actors::workspace_runtime_options options;
  options.database_url = database_url;
  options.use_snapshots = use_snapshots;
  options.snapshot_every = snapshot_every;
  actors::workspace_service service(store, options);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> failed{0};
  const auto started = clock_type::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (auto i = next++; i < ids.size(); i = next++) {
        if (!service.get(ids[i])) ++failed;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  const auto elapsed =
      std::chrono::duration<double, std::milli>(clock_type::now() - started).count();
  if (failed > 0) std::cerr << "berth bench api: " << failed << " workspaces failed to load\n";
  return elapsed;
}

/// Waits (up to 120 s) until /healthz reports every projection with no event behind.
bool wait_for_read_models(http_client& client) {
  const auto until = clock_type::now() + std::chrono::seconds(120);
  while (clock_type::now() < until) {
    auto [status, body] = client.call(beast::http::verb::get, "/healthz");
    if (status == 200) {
      bool behind = false;
      const auto health = json::parse(body);
      for (const auto& [name, lag] : health.at("projections").as_object())
        behind = behind || lag.at("events_behind").to_number<std::int64_t>() > 0;
      if (!behind) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool parse_options(const std::vector<std::string>& args, bench_options& options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    try {
      if (args[i] == "--clients" && has_value)
        options.clients = std::stoi(args[++i]);
      else if (args[i] == "--users" && has_value)
        options.users = std::stoi(args[++i]);
      else if (args[i] == "--workspaces" && has_value)
        options.workspaces = std::stoi(args[++i]);
      else if (args[i] == "--seconds" && has_value)
        options.seconds = std::stod(args[++i]);
      else {
        std::cerr << "berth bench api: unknown argument " << args[i]
                  << " (flags: --clients N, --users N, --workspaces N, --seconds N)\n";
        return false;
      }
    } catch (const std::exception&) {
      std::cerr << "berth bench api: " << args[i] << " needs a number\n";
      return false;
    }
  }
  if (options.clients < 1 || options.users < 1 || options.workspaces < options.users) {
    std::cerr << "berth bench api: need clients ≥ 1, users ≥ 1, workspaces ≥ users\n";
    return false;
  }
  return true;
}

}  // namespace

int run_bench_api(const settings& cfg, const std::vector<std::string>& args) {
  bench_options options;
  if (!parse_options(args, options)) return exit_usage;
  if (cfg.database_url.empty()) {
    std::cerr << "berth bench: set --database-url or BERTH_DATABASE_URL\n";
    return exit_usage;
  }
  auto database = testing::scratch_database::create(cfg.database_url, "berth_bench_api");
  if (!database) {
    std::cerr << "berth bench: cannot create a scratch database: " << database.error().message
              << "\n";
    return exit_failure;
  }
  if (auto migrated = events::migrate(database->url()); !migrated) {
    std::cerr << "berth bench: migration failed: " << migrated.error().message << "\n";
    return exit_failure;
  }
  const auto data_dir =
      std::filesystem::temp_directory_path() / ("berth-bench-api-" + std::to_string(getpid()));
  std::filesystem::create_directories(data_dir);
  events::event_store store({database->url()});
  {
    // Users are made in-process with the cheapest Argon2id cost: the server verifies a hash
    // with the cost it records, so logins stay fast and the bench measures the API.
    accounts::account_service::options account_options;
    account_options.database_url = database->url();
    account_options.jwt_secret = std::string(32, 'b');
    account_options.password_limits = auth::password_limits::minimum();
    accounts::account_service accounts(store, account_options);
    for (int u = 0; u < options.users; ++u) {
      if (!accounts.create_user("bench" + std::to_string(u), "bench-password",
                                accounts::role::member, {})) {
        std::cerr << "berth bench api: cannot create users\n";
        return exit_failure;
      }
    }
    // The bench measures the server, not a member's quota (by default 20 workspaces).
    if (!accounts.set_limits(accounts::quota_table{}, {})) {
      std::cerr << "berth bench api: cannot lift the quotas\n";
      return exit_failure;
    }
  }
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> ids_by_user(static_cast<std::size_t>(options.users));
  // Telemetry's cost: the same routes against a server with tracing and metrics off, then
  // against one exporting every span to a local OTLP collector (same database, same data).
  testing::local_collector collector(/*keep_requests=*/false);
  const auto serve_and_measure = [&](bool telemetry_on,
                                     bool create) -> std::optional<json::object> {
    json::object routes;
    std::map<std::string, std::string> environment = {
        {"BERTH_DATABASE_URL", database->url()},
        {"BERTH_INSTANCE", "bench-" + std::to_string(getpid())},
        {"BERTH_LOG_LEVEL", "info"}};
    if (telemetry_on) {
      environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.endpoint();
      // Export during the measurement, not only at its end.
      environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
    } else {
      environment["OTEL_SDK_DISABLED"] = "true";
      environment["BERTH_METRICS"] = "off";
    }
    testing::server_process server({.data_dir = data_dir.string(),
                                    .environment = environment,
                                    .log_path = (data_dir / "serve.log").string()});
    if (server.port() == 0) {
      std::cerr << "berth bench api: the server did not start; see " << (data_dir / "serve.log")
                << "\n";
      return std::nullopt;
    }
    // One client per user (clients take users round-robin), each logged in.
    std::vector<std::unique_ptr<http_client>> users;
    for (int u = 0; u < options.users; ++u) {
      users.push_back(std::make_unique<http_client>(server.port()));
      users.back()->call(beast::http::verb::post, "/api/auth/login",
                         json::serialize(json::object{{"username", "bench" + std::to_string(u)},
                                                      {"password", "bench-password"}}));
    }
    std::vector<std::mutex> user_locks(static_cast<std::size_t>(options.users));
    std::mutex ids_mutex;
    std::atomic<int> created{0};
    const auto user_of = [&](int client, std::int64_t i) {
      return static_cast<std::size_t>((client + i * options.clients) % options.users);
    };
    route_samples create_samples;
    if (create) {
      run_clients(
          options.clients, create_samples,
          [&](int client, std::int64_t i) {
            const auto u = user_of(client, i);
            std::lock_guard lock(user_locks[u]);
            auto [status, body] = users[u]->call(
                beast::http::verb::post, "/api/workspaces",
                json::serialize(
                    json::object{{"name", "ws " + std::to_string(i) + "-" + std::to_string(client)},
                                 {"start", false}}));
            if (status != 201) {
              std::cerr << "berth bench api: create answered " << status << ": " << body << "\n";
              return false;
            }
            std::lock_guard ids_lock(ids_mutex);
            ids_by_user[u].push_back(std::string(json::parse(body).at("id").as_string()));
            return true;
          },
          [&] { return created++ >= options.workspaces; });
      routes["POST /api/workspaces"] = create_samples.summary();
    }

    // The routes are measured once the read models have caught up with the log (after the
    // creates, the audit projection has thousands of events to apply): steady state, not the
    // catch-up.
    if (!wait_for_read_models(*users.front())) {
      std::cerr << "berth bench api: the read models did not catch up within 120 s\n";
      return std::nullopt;
    }
    const auto measure = [&](const std::string& route, auto call) {
      std::cerr << "berth bench api: " << route << " (telemetry " << (telemetry_on ? "on" : "off")
                << ")\n";
      route_samples samples;
      const auto until = clock_type::now() + std::chrono::duration<double>(options.seconds);
      run_clients(
          options.clients, samples,
          [&](int client, std::int64_t i) {
            const auto u = user_of(client, i);
            std::lock_guard lock(user_locks[u]);
            const auto& mine = ids_by_user[u];
            if (mine.empty()) return true;
            const auto status = call(*users[u], mine[static_cast<std::size_t>(i) % mine.size()], i);
            return status < 400;
          },
          [&] { return clock_type::now() >= until; });
      routes[route] = samples.summary();
    };
    measure("GET /api/workspaces", [](http_client& user, const std::string&, std::int64_t) {
      return user.call(beast::http::verb::get, "/api/workspaces").first;
    });
    measure("PATCH /api/workspaces/{id}",
            [](http_client& user, const std::string& id, std::int64_t i) {
              return user
                  .call(beast::http::verb::patch, "/api/workspaces/" + id,
                        R"({"name":"renamed )" + std::to_string(i) + R"("})")
                  .first;
            });
    measure("PUT /api/workspaces/{id}/star",
            [](http_client& user, const std::string& id, std::int64_t i) {
              return user
                  .call(i % 2 ? beast::http::verb::delete_ : beast::http::verb::put,
                        "/api/workspaces/" + id + "/star")
                  .first;
            });
    measure("GET /api/workspaces/{id}", [](http_client& user, const std::string& id, std::int64_t) {
      return user.call(beast::http::verb::get, "/api/workspaces/" + id).first;
    });
    return routes;
  };
  // Rounds off, on, on, off (ABBA): a drift over the run — the read models settling after
  // the creates, the database warming up — weighs on both sides alike.
  auto routes = serve_and_measure(false, true);
  if (!routes) return exit_failure;
  std::vector<json::object> rounds_on, rounds_off{*routes};
  for (const bool on : {true, true, false}) {
    auto measured = serve_and_measure(on, false);
    if (!measured) return exit_failure;
    (on ? rounds_on : rounds_off).push_back(std::move(*measured));
  }
  // Throughput with telemetry on over off per route (mean requests/s of its two rounds each),
  // and the median of those ratios.
  json::object ratios;
  std::vector<double> route_ratios;
  const auto mean_rps = [](const std::vector<json::object>& rounds, std::string_view route) {
    double total = 0;
    for (const auto& round : rounds)
      total += round.at(route).at("rps").to_number<double>();
    return total / static_cast<double>(rounds.size());
  };
  for (const auto& entry : rounds_on.front()) {
    const auto route = entry.key();
    const auto off_rps = mean_rps(rounds_off, route), on_rps = mean_rps(rounds_on, route);
    const auto ratio = on_rps / std::max(off_rps, 1.0);
    ratios[route] = json::object{{"off_rps", std::round(off_rps)},
                                 {"on_rps", std::round(on_rps)},
                                 {"ratio", std::round(ratio * 1000) / 1000}};
    route_ratios.push_back(ratio);
  }
  for (auto& mine : ids_by_user)
    ids.insert(ids.end(), mine.begin(), mine.end());
  const auto no_snapshots = time_recovery(database->url(), ids, false, 0, options.clients);
  // One pass writes a snapshot of every workspace; the timed pass then starts from them.
  time_recovery(database->url(), ids, true, 1, options.clients);
  const auto with_snapshots = time_recovery(database->url(), ids, true, 1'000'000, options.clients);
  std::filesystem::remove_all(data_dir);
  std::cout << json::serialize(json::object{
                   {"workspaces", ids.size()},
                   {"users", options.users},
                   {"clients", options.clients},
                   {"routes", std::move(*routes)},
                   {"telemetry",
                    json::object{{"throughput", std::move(ratios)},
                                 {"median_throughput_ratio",
                                  std::round(percentile(route_ratios, 0.5) * 1000) / 1000},
                                 {"otlp_requests", collector.request_count()}}},
                   {"recover_ms", json::object{{"snapshots", std::round(with_snapshots)},
                                               {"no_snapshots", std::round(no_snapshots)}}}})
            << "\n";
  return exit_ok;
}

}  // namespace berth::bench
