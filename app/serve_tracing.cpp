#include "app/serve_tracing.hpp"

#include <cstdlib>

#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/otlp_exporter.hpp"
#include "telemetry/tracer.hpp"

namespace berth::app {

struct serve_tracing::impl {
  std::unique_ptr<telemetry::otlp_exporter> exporter;
  telemetry::collector_registration counters;
};

serve_tracing::serve_tracing(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

serve_tracing::~serve_tracing() {
  // No span may reach the exporter while it flushes and stops.
  telemetry::set_span_sink({});
  impl_->exporter.reset();
}

std::unique_ptr<serve_tracing> serve_tracing::start() {
  using telemetry::level;
  auto state = std::make_unique<impl>();
  auto config = telemetry::exporter_config_from([](const char* name) { return std::getenv(name); });
  for (const auto& warning : config.warnings) {
    telemetry::log(level::warn, "app.tracing", "tracing setting ignored",
                   {{"detail", std::string_view(warning)}});
  }
  telemetry::set_tracing_enabled(config.tracing_enabled);
  // Metric recording can be switched off too (the overhead benchmark compares both).
  if (const char* metrics = std::getenv("BERTH_METRICS");
      metrics && std::string_view(metrics) == "off") {
    telemetry::set_metrics_enabled(false);
    telemetry::log(level::info, "app.tracing", "metric recording off (BERTH_METRICS=off)");
  }
  std::string_view service = "berth";
  for (const auto& [key, value] : config.resource.attributes) {
    if (key == "service.name") service = value;
  }
  if (!config.endpoint.empty()) {
    // The endpoint may carry credentials in its user part: log scheme, host and path only.
    std::string shown = config.endpoint;
    if (const auto at = shown.find('@'); at != std::string::npos) {
      shown = shown.substr(0, shown.find("://") + 3) + "…" + shown.substr(at);
    }
    telemetry::log(level::info, "app.tracing", "exporting spans as OTLP/HTTP JSON",
                   {{"endpoint", std::string_view(shown)},
                    {"service_name", service},
                    {"headers", static_cast<std::int64_t>(config.headers.size())},
                    {"gzip", config.gzip}});
    state->exporter = std::make_unique<telemetry::otlp_exporter>(std::move(config));
    telemetry::set_span_sink(
        [exporter = state->exporter.get()](const telemetry::span_record& span) {
          return exporter->enqueue(span);
        });
  } else {
    telemetry::log(level::info, "app.tracing",
                   config.tracing_enabled
                       ? "tracing in memory only (recent traces in the admin API)"
                       : "tracing off (OTEL_SDK_DISABLED)");
  }
  state->counters = telemetry::metrics().add_collector([](telemetry::metric_sink& sink) {
    const auto stats = telemetry::current_tracer_stats();
    sink.counter("berth_otel_spans_dropped_total",
                 "Spans dropped because the export queue was full.", {}, {},
                 static_cast<double>(stats.spans_dropped));
    sink.counter("berth_otel_export_failures_total",
                 "Span batches the collector refused or that failed after all retries.", {}, {},
                 static_cast<double>(stats.export_failures));
    sink.counter("berth_otel_spans_exported_total", "Spans the collector accepted.", {}, {},
                 static_cast<double>(stats.spans_exported));
    sink.counter("berth_otel_spans_recorded_total", "Spans recorded (kept in the recent ring).", {},
                 {}, static_cast<double>(stats.spans_recorded));
  });
  return std::unique_ptr<serve_tracing>(new serve_tracing(std::move(state)));
}

}  // namespace berth::app
