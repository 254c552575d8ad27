#pragma once

#include <functional>
#include <string>

#include "http/server.hpp"

namespace berth::http {

/// What /healthz reports about the database.
struct database_health {
  bool reachable = false;
  double latency_ms = 0;
  std::string error;  ///< why it is unreachable (no credentials, no DSN)
};

/// `GET /healthz`: 200 with `{"status":"ok","database":{"reachable":true,...}}`, or 503
/// with `"status":"degraded"` when the database does not answer.
response health_response(const database_health& database, const std::string& version);

}  // namespace berth::http
