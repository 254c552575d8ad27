#include "http/health.hpp"

#include <boost/json.hpp>

namespace berth::http {

response health_response(const database_health& database,
                         const std::vector<projection_health>& projections,
                         const std::string& version) {
  boost::json::object lag;
  for (const auto& projection : projections) {
    if (projection.known) {
      lag[projection.name] = {{"events_behind", projection.events_behind},
                              {"seconds_behind", projection.seconds_behind}};
    } else {
      lag[projection.name] = nullptr;
    }
  }
  boost::json::object db{{"reachable", database.reachable}};
  if (database.reachable) {
    db["latency_ms"] = database.latency_ms;
  } else {
    db["error"] = database.error;
  }
  boost::json::object body{{"status", database.reachable ? "ok" : "degraded"},
                           {"version", version},
                           {"database", std::move(db)},
                           {"projections", std::move(lag)}};
  response out;
  out.status = database.reachable ? 200 : 503;
  out.body = boost::json::serialize(body);
  return out;
}

}  // namespace berth::http
