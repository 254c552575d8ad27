#include "app/serve_metrics.hpp"

#include <memory>

#include "events/connection_pool.hpp"
#include "telemetry/berth_metrics.hpp"

#ifndef BERTH_REVISION
#define BERTH_REVISION "unknown"
#endif

namespace berth::app {
namespace {

/// Every state a workspace row can be in besides `deleted` (migrations/0002_read_models.sql),
/// reported even at 0 so that each series exists from the first scrape.
constexpr const char* workspace_states[] = {"creating", "running", "stopped", "failed", "deleting"};

const std::vector<std::string> state_label{"state"};
const std::vector<std::string> projection_label{"projection"};

}  // namespace

std::vector<telemetry::collector_registration> register_serve_metrics(
    const std::string& database_url,
    std::vector<std::pair<std::string, projections::projection_runner*>> runners) {
  telemetry::berth_metrics();  // every family shows from the first scrape
  auto& registry = telemetry::metrics();
  registry
      .gauge("berth_build_info", "Always 1; the labels name the running build.",
             {"version", "revision"})
      .with({BERTH_VERSION, BERTH_REVISION})
      .set(1);

  std::vector<telemetry::collector_registration> registrations;
  // One connection of its own: a scrape never waits for a request's connection, and
  // concurrent scrapes take turns.
  auto queries = std::make_shared<events::connection_pool>(database_url, 1);
  registrations.push_back(registry.add_collector([queries](telemetry::metric_sink& sink) {
    std::map<std::string, double> counts;
    for (const char* state : workspace_states)
      counts[state] = 0;
    auto read = queries->run([&](pqxx::connection& connection) {
      pqxx::nontransaction query(connection);
      for (const auto& row : query.exec("SELECT state, count(*) FROM rm_workspaces "
                                        "WHERE state <> 'deleted' GROUP BY state")) {
        counts[row[0].as<std::string>()] = row[1].as<double>();
      }
    });
    // A database that does not answer leaves the family out rather than reporting zeros.
    if (!read) return;
    for (const auto& [state, count] : counts) {
      sink.gauge("berth_workspaces", "Workspaces by state (deleted ones left out).", state_label,
                 {state}, count);
    }
  }));
  registrations.push_back(registry.add_collector([runners](telemetry::metric_sink& sink) {
    for (const auto& [name, runner] : runners) {
      auto lag = runner->lag();
      if (!lag) continue;
      sink.gauge("berth_projection_lag_events",
                 "Committed events a read model has not applied yet.", projection_label, {name},
                 static_cast<double>(lag->events_behind));
      sink.gauge("berth_projection_lag_seconds",
                 "Age of the oldest event a read model has not applied yet.", projection_label,
                 {name}, lag->seconds_behind);
    }
  }));
  return registrations;
}

}  // namespace berth::app
