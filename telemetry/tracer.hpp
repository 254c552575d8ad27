#pragma once

// Where finished spans go: a bounded ring of recent spans (the admin API reads it, no
// collector needed) and, when an exporter is attached, its bounded queue. Process-wide.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/span.hpp"

namespace berth::telemetry {

/// Counters of the tracer and its exporter, for /metrics.
struct tracer_stats {
  std::uint64_t spans_recorded = 0;
  std::uint64_t spans_dropped = 0;    ///< the export queue was full
  std::uint64_t spans_exported = 0;   ///< accepted by the collector
  std::uint64_t export_failures = 0;  ///< batches given up on (permanent error or retries spent)
};

/// A trace as the admin list shows it: its root (or earliest) span and totals.
struct trace_summary {
  std::string trace_id;
  std::string root_name;
  std::int64_t start_unix_nano = 0, end_unix_nano = 0;
  std::size_t span_count = 0;
  bool error = false;
};

/// Turns span recording on or off (off: spans still carry ids, nothing is kept). On by
/// default; `OTEL_SDK_DISABLED=true` turns it off at start-up.
void set_tracing_enabled(bool enabled);
bool tracing_enabled();

/// How many recent spans the ring keeps (default 8192); older ones are overwritten.
void set_recent_span_capacity(std::size_t spans);

/// Called with each finished, recording span (the exporter's queue). Returns false when
/// the span had to be dropped. Set once at start-up; empty: no export.
void set_span_sink(std::function<bool(const span_record&)> sink);

/// Keeps `finished` in the ring and hands it to the sink (called by `span`).
void record_span(span_record finished);

/// Adds to the exporter's counters (called by the exporter).
void count_exported(std::uint64_t spans);
void count_export_failure();

tracer_stats current_tracer_stats();

/// The most recent traces in the ring, newest first.
std::vector<trace_summary> recent_traces(std::size_t limit);
/// Every span of `trace_id` (32 hex) still in the ring, by start time.
std::vector<span_record> spans_of_trace(const std::string& trace_id_hex);
/// Forgets the ring (for tests).
void clear_recent_spans();

}  // namespace berth::telemetry
