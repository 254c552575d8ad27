#pragma once

// Tracing for `berth serve`: settings from the OTEL_* environment variables, the OTLP
// exporter when an endpoint is set, and the tracer's counters in /metrics.

#include <memory>

namespace berth::app {

/// Keeps tracing set up while it lives; destroying it flushes queued spans to the collector.
class serve_tracing {
 public:
  /// Reads the environment, logs what it does (never header values), starts the exporter.
  static std::unique_ptr<serve_tracing> start();
  ~serve_tracing();
  serve_tracing(const serve_tracing&) = delete;
  serve_tracing& operator=(const serve_tracing&) = delete;

 private:
  struct impl;
  explicit serve_tracing(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::app
