#pragma once

// Exports finished spans as OTLP/HTTP JSON in the background: a bounded queue (a full queue
// drops the span and counts it, a request never waits), batches of up to 512 spans or every
// 5 s, retries on 429/502/503/504 and network errors with exponential backoff and jitter
// (honouring Retry-After), a flush on shutdown. Configured by the standard OTEL_*
// environment variables.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/otlp_json.hpp"
#include "telemetry/span.hpp"

namespace berth::telemetry {

/// Tracing settings from the environment (OTel's sdk-environment-variables).
struct exporter_config {
  bool tracing_enabled = true;  ///< false with OTEL_SDK_DISABLED=true
  /// Full URL spans are POSTed to; empty: keep spans in memory only (no export).
  std::string endpoint;
  std::vector<std::pair<std::string, std::string>> headers;  ///< may hold credentials: never log
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  resource_attributes resource;  ///< service.name first
  std::chrono::milliseconds schedule_delay{5000};
  std::size_t max_queue = 2048;
  std::size_t max_batch = 512;
  int max_attempts = 5;  ///< per batch, first try included
  std::chrono::milliseconds first_backoff{1000};
  /// What was wrong or unsupported in the variables (logged at start-up, values left out).
  std::vector<std::string> warnings;
};

/// Reads the OTEL_* variables through `variable` (returns null when unset).
exporter_config exporter_config_from(const std::function<const char*(const char*)>& variable);

/// The background exporter. Attach it with `set_span_sink` (tracer.hpp).
class otlp_exporter {
 public:
  explicit otlp_exporter(exporter_config config);
  /// Flushes what is queued (bounded by the timeout), then stops.
  ~otlp_exporter();
  otlp_exporter(const otlp_exporter&) = delete;
  otlp_exporter& operator=(const otlp_exporter&) = delete;

  /// Queues a span; false (dropped) when the queue is full.
  bool enqueue(const span_record& finished);
  /// Sends everything queued now and waits until it is sent or given up on.
  void flush();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::telemetry
