#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "http/server.hpp"

namespace berth::http {

/// What /healthz reports about the database.
struct database_health {
  bool reachable = false;
  double latency_ms = 0;
  std::string error;  ///< why it is unreachable (no credentials, no DSN)
};

/// What /healthz reports about one read model.
struct projection_health {
  std::string name;
  bool known = false;  ///< false when the lag could not be measured (database down)
  std::int64_t events_behind = 0;
  double seconds_behind = 0;
};

/// `GET /healthz`: 200 with `{"status":"ok","database":{"reachable":true,...}}`, or 503
/// with `"status":"degraded"` when the database does not answer.
/// Projection lag is listed under `"projections"`; it never makes the answer 503.
response health_response(const database_health& database,
                         const std::vector<projection_health>& projections,
                         const std::string& version);

}  // namespace berth::http
