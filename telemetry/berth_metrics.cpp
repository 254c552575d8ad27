#include "telemetry/berth_metrics.hpp"

namespace berth::telemetry {

berth_metric_families& berth_metrics() {
  auto& registry = metrics();
  static berth_metric_families families{
      .docker_requests = registry.counter(
          "berth_docker_requests_total",
          "Docker Engine API calls by operation and HTTP status (`error` when no answer came).",
          {"operation", "code"}),
      .docker_duration = registry.histogram("berth_docker_request_duration_seconds",
                                            "Latency of Docker Engine API calls, by operation.",
                                            {"operation"}, latency_buckets()),
      .events_appended =
          registry.counter("berth_events_appended_total",
                           "Events appended to the log, by stream type.", {"stream_type"}),
      .append_conflicts =
          registry
              .counter("berth_event_append_conflicts_total",
                       "Appends refused because the stream had moved past the expected version.")
              .with({}),
      .append_duration =
          registry
              .histogram("berth_event_append_duration_seconds",
                         "Time from opening to committing the transaction of a batch of appends.",
                         {}, latency_buckets())
              .with({}),
      .append_batch_events =
          registry
              .histogram("berth_event_append_batch_events",
                         "Events written per committed batch of appends.", {}, size_buckets())
              .with({}),
      .projection_apply =
          registry.histogram("berth_projection_apply_duration_seconds",
                             "Time to apply one page of events to a read model, by projection.",
                             {"projection"}, latency_buckets()),
      .websocket_connections = registry
                                   .gauge("berth_websocket_connections",
                                          "WebSocket connections open (terminal clients).")
                                   .with({}),
      .terminal_sessions_open = registry
                                    .gauge("berth_terminal_sessions",
                                           "Terminal sessions of this server: open, and attached "
                                           "(open with a client connected).",
                                           {"state"})
                                    .with({"open"}),
      .terminal_sessions_attached =
          registry.gauge("berth_terminal_sessions", "", {"state"}).with({"attached"}),
      .terminal_output_bytes =
          registry
              .counter("berth_terminal_output_bytes_total",
                       "Terminal output bytes received from shells (all of it is recorded).")
              .with({}),
      .terminal_input_bytes =
          registry.counter("berth_terminal_input_bytes_total", "Terminal input bytes from clients.")
              .with({}),
      .keeper_links_refused = registry
                                  .counter("berth_keeper_links_refused_total",
                                           "Keeper links closed for a forged offset, another "
                                           "session's frame or an oversized "
                                           "frame.")
                                  .with({}),
      .terminal_resumes = registry.counter(
          "berth_terminal_resumes_total",
          "Clients resuming from an offset, by how: the exact bytes, or a screen snapshot.",
          {"kind"}),
      .session_recovery_fed_bytes = registry.counter(
          "berth_session_recovery_fed_bytes_total",
          "Recorded output bytes fed to screen models while recovering sessions, by where the "
          "screen started: the newest keyframe, or the session's start.",
          {"from"}),
  };
  return families;
}

}  // namespace berth::telemetry
