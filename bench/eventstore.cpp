#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "bench/commands.hpp"
#include "bench/stats.hpp"
#include "events/event_store.hpp"
#include "events/uuid.hpp"
#include "testing/scratch_database.hpp"

namespace berth::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct bench_options {
  double seconds = 5;
  std::size_t event_bytes = 256;
  std::size_t replay_events = 1'000'000;
};

std::string payload_json(std::size_t bytes) {
  return boost::json::serialize(boost::json::object{{"payload", std::string(bytes, 'x')}});
}

/// `clients` threads each append one event at a time to their own stream for `seconds`.
boost::json::object measure_appends(events::event_store& store, int clients, double seconds,
                                    const std::string& data, const std::string& run_id) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::atomic<bool> stop{false};
  std::atomic<long> failures{0};
  std::vector<std::thread> threads;
  const auto start = clock_type::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const auto stream =
          "bench-" + run_id + "-" + std::to_string(clients) + "-" + std::to_string(c);
      std::int64_t version = 0;
      auto& mine = latencies[static_cast<std::size_t>(c)];
      while (!stop.load(std::memory_order_relaxed)) {
        events::append_request request{stream, "bench", version, {}};
        request.events.push_back(
            {events::make_uuid_v7(), "BenchEvent", 1, data, std::nullopt, "{}"});
        const auto sent = clock_type::now();
        auto appended = store.append(std::move(request));
        mine.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - sent).count());
        if (appended) {
          version = appended->last_version;
        } else {
          ++failures;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& thread : threads)
    thread.join();
  const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  std::vector<double> all;
  for (auto& mine : latencies)
    all.insert(all.end(), mine.begin(), mine.end());
  const auto appended = static_cast<double>(all.size()) - static_cast<double>(failures.load());
  return {{"appends_per_s", appended / elapsed},
          {"p50_ms", percentile(all, 0.50)},
          {"p99_ms", percentile(all, 0.99)},
          {"failures", failures.load()}};
}

/// The baseline: `clients` connections each doing one plain `INSERT` (autocommit) per event.
double measure_raw_inserts(const std::string& url, int clients, double seconds,
                           const std::string& data) {
  {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS bench_raw_events (id bigint GENERATED ALWAYS AS IDENTITY "
        "PRIMARY KEY, stream_id text NOT NULL, stream_version bigint NOT NULL, event_id uuid "
        "NOT NULL UNIQUE, event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL)");
  }
  std::atomic<bool> stop{false};
  std::atomic<long> inserted{0};
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      pqxx::connection connection(url);
      connection.prepare("insert",
                         "INSERT INTO bench_raw_events (stream_id, stream_version, event_id, "
                         "event_type, data, metadata) VALUES ($1, $2, $3, 'BenchEvent', $4, '{}')");
      ++ready;
      const auto stream = "raw-" + std::to_string(c);
      std::int64_t version = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        pqxx::work tx(connection);
        tx.exec_prepared("insert", stream, ++version, events::make_uuid_v7(), data);
        tx.commit();
        ++inserted;
      }
    });
  }
  while (ready.load() < clients)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const long before = inserted.load();
  const auto start = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const long counted = inserted.load() - before;
  const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  stop = true;
  for (auto& thread : threads)
    thread.join();
  return static_cast<double>(counted) / elapsed;
}

/// Writes `count` events to one stream, then folds them back; returns events per second.
double measure_replay(events::event_store& store, std::size_t count, const std::string& data) {
  const std::string stream = "replay-" + events::make_uuid_v7();
  constexpr std::size_t chunk = 2000;
  std::int64_t version = 0;
  for (std::size_t written = 0; written < count; written += chunk) {
    events::append_request request{stream, "replay", version, {}};
    for (std::size_t i = 0; i < std::min(chunk, count - written); ++i) {
      request.events.push_back({events::make_uuid_v7(), "BenchEvent", 1, data, std::nullopt, "{}"});
    }
    auto appended = store.append(std::move(request));
    if (!appended) {
      std::cerr << "bench: replay set-up failed: " << appended.error().message << "\n";
      return 0;
    }
    version = appended->last_version;
  }
  std::size_t folded_bytes = 0;
  const auto start = clock_type::now();
  auto folded = store.fold_stream(
      stream, 1, [&](const events::recorded_event& event) { folded_bytes += event.data.size(); });
  const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  if (!folded || static_cast<std::size_t>(*folded) != count || folded_bytes == 0) {
    std::cerr << "bench: replay read back " << (folded ? *folded : -1) << " events\n";
    return 0;
  }
  return static_cast<double>(count) / elapsed;
}

}  // namespace

int run_bench_eventstore(const settings& cfg, const std::vector<std::string>& args) {
  bench_options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    try {
      if (args[i] == "--seconds" && has_value) {
        options.seconds = std::stod(args[++i]);
      } else if (args[i] == "--event-bytes" && has_value) {
        options.event_bytes = std::stoul(args[++i]);
      } else if (args[i] == "--replay-events" && has_value) {
        options.replay_events = std::stoul(args[++i]);
      } else {
        std::cerr << "berth bench eventstore: unknown argument " << args[i]
                  << " (flags: --seconds N, --event-bytes N, --replay-events N)\n";
        return exit_usage;
      }
    } catch (const std::exception&) {
      std::cerr << "berth bench eventstore: " << args[i] << " needs a number\n";
      return exit_usage;
    }
  }
  if (cfg.database_url.empty()) {
    std::cerr << "berth bench: set --database-url or BERTH_DATABASE_URL\n";
    return exit_usage;
  }
  auto database = testing::scratch_database::create(cfg.database_url, "berth_bench");
  if (!database) {
    std::cerr << "berth bench: cannot create a scratch database: " << database.error().message
              << "\n";
    return exit_failure;
  }
  const auto data = payload_json(options.event_bytes);
  const auto run_id = events::make_uuid_v7().substr(0, 8);
  boost::json::object concurrency;
  boost::json::object output;
  {
    events::event_store store({database->url()});
    for (const int clients : {1, 16, 200}) {
      std::cerr << "bench: event store, " << clients << " concurrent streams...\n";
      concurrency[std::to_string(clients)] =
          measure_appends(store, clients, options.seconds, data, run_id);
    }
    std::cerr << "bench: raw INSERT baseline, 200 clients...\n";
    output["raw_insert_per_s"] = measure_raw_inserts(database->url(), 200, options.seconds, data);
    std::cerr << "bench: replay of " << options.replay_events << " events...\n";
    output["replay_events_per_s"] = measure_replay(store, options.replay_events, data);
  }
  output["concurrency"] = std::move(concurrency);
  output["event_bytes"] = options.event_bytes;
  output["seconds"] = options.seconds;
  const auto& at200 = output["concurrency"].as_object()["200"].as_object();
  output["ratio_200_vs_raw"] = at200.at("appends_per_s").to_number<double>() /
                               output["raw_insert_per_s"].to_number<double>();
  std::cout << boost::json::serialize(output) << std::endl;
  return exit_ok;
}

}  // namespace berth::bench
