#pragma once

// Berth's metric families in one place (docs/metrics.md lists them): names, help and labels
// are declared here once, so every family shows in /metrics from the first scrape and the
// recording sites only pick the series.

#include "telemetry/metrics.hpp"

namespace berth::telemetry {

/// The families recorded in the code; the scrape-time ones (workspaces, projection lag, build
/// info) are registered by `berth serve`.
struct berth_metric_families {
  counter_family& docker_requests;     ///< {operation, code}
  histogram_family& docker_duration;   ///< {operation}
  counter_family& events_appended;     ///< {stream_type}
  counter& append_conflicts;           ///<
  histogram& append_duration;          ///< per committed batch
  histogram& append_batch_events;      ///< events per committed batch
  histogram_family& projection_apply;  ///< {projection}
  gauge& websocket_connections;        ///<
  gauge& terminal_sessions_open;       ///< {state="open"}
  gauge& terminal_sessions_attached;   ///< {state="attached"}
  counter& terminal_output_bytes;      ///<
  counter& terminal_input_bytes;       ///<
  counter& keeper_links_refused;       ///< links closed for breaking the keeper protocol
  counter_family& terminal_resumes;    ///< {kind = bytes | snapshot}
  /// Recorded output fed to screen models by recoveries {from = keyframe | start}.
  counter_family& session_recovery_fed_bytes;
};

/// Registers the families in the process-wide registry on first call.
berth_metric_families& berth_metrics();

}  // namespace berth::telemetry
