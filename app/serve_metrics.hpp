#pragma once

// The metrics `berth serve` reads at scrape time (docs/metrics.md): build info, workspaces by
// state from the read model, and each read model's lag.

#include <string>
#include <utility>
#include <vector>

#include "projections/runner.hpp"
#include "telemetry/metrics.hpp"

namespace berth::app {

/// Sets `berth_build_info` and registers the scrape-time collectors; they stay registered as
/// long as the returned registrations live (keep them until the runners stop).
std::vector<telemetry::collector_registration> register_serve_metrics(
    const std::string& database_url,
    std::vector<std::pair<std::string, projections::projection_runner*>> runners);

}  // namespace berth::app
