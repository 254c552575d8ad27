// GET /metrics: the process's metrics in the Prometheus text format 0.0.4 (REFERENCE.md
// "Observability", docs/metrics.md). Open by default, as Prometheus scrapes without
// credentials and the labels carry no ids or secrets; with a token configured, only for
// `Authorization: Bearer <token>`.

#include <algorithm>
#include <cctype>

#include "auth/constant_time.hpp"
#include "auth/digest.hpp"
#include "http/api.hpp"
#include "telemetry/metrics.hpp"

namespace berth::http {
namespace {

/// Whether the request carries `Bearer <token>`. Both sides are hashed first, so the time
/// taken says nothing about the token, not even its length.
bool carries_token(const request& req, const std::string& token_digest) {
  constexpr std::string_view scheme = "Bearer ";
  const auto authorization = req.header("authorization");
  if (authorization.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return false;
  }
  const auto offered = trim_blanks(std::string_view(authorization).substr(scheme.size()));
  return auth::constant_time_equal(auth::sha256(offered), token_digest);
}

}  // namespace

void add_metrics_routes(router& routes, const std::string& token) {
  const auto token_digest = token.empty() ? std::string() : auth::sha256(token);
  routes.add("GET", "/metrics", [token_digest](const request& req, const route_params&) {
    if (!token_digest.empty() && !carries_token(req, token_digest)) {
      auto refused = error_response(401, "unauthenticated", "metrics need the metrics token");
      refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"berth-metrics\"");
      return refused;
    }
    response answer;
    answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
    answer.body = telemetry::metrics().render();
    answer.headers.emplace_back("Cache-Control", "no-store");
    return answer;
  });
}

}  // namespace berth::http
