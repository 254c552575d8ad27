#include "http/health.hpp"

#include <boost/json.hpp>

namespace berth::http {

response health_response(const database_health& database, const std::string& version) {
  boost::json::object db{{"reachable", database.reachable}};
  if (database.reachable) {
    db["latency_ms"] = database.latency_ms;
  } else {
    db["error"] = database.error;
  }
  boost::json::object body{{"status", database.reachable ? "ok" : "degraded"},
                           {"version", version},
                           {"database", std::move(db)}};
  return response{
      database.reachable ? 200 : 503, "application/json", boost::json::serialize(body), {}};
}

}  // namespace berth::http
