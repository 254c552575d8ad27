#pragma once

#include <string>

#include "projections/row_change.hpp"

namespace berth::projections {

/// `rm_audit_log` from every event except high-volume terminal data (`OutputRecorded`,
/// `InputRecorded`): one row per event, keyed by its global position. Pure.
changes apply_audit_event(const events::recorded_event& event);

/// `at` as a PostgreSQL timestamptz literal in UTC with microseconds
/// (`2026-11-23 01:31:02.123456+00`).
std::string timestamp_literal(std::chrono::system_clock::time_point at);

}  // namespace berth::projections
