#include "http/observed_handler.hpp"

#include <chrono>

#include "http/request_guard.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/span.hpp"

namespace berth::http {
namespace {

/// Methods as metric labels: anything else a client makes up counts as `other`, so a
/// hostile client cannot create series.
std::string_view method_label(const std::string& method) {
  for (const std::string_view known :
       {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

struct http_metrics {
  telemetry::counter_family& requests = telemetry::metrics().counter(
      "berth_http_requests_total", "HTTP requests answered, by method, route template and status.",
      {"method", "route", "code"});
  telemetry::histogram_family& duration = telemetry::metrics().histogram(
      "berth_http_request_duration_seconds",
      "Time from a request's dispatch to its response head (WebSocket: to the upgrade).",
      {"method", "route"}, telemetry::latency_buckets());
  telemetry::gauge& in_flight =
      telemetry::metrics()
          .gauge("berth_http_requests_in_flight", "HTTP requests being handled now.")
          .with(telemetry::label_values{});
};

}  // namespace

handler observed_handler(const router& routes, trusted_proxies proxies) {
  static http_metrics metrics;
  return [&routes, proxies = std::move(proxies)](request req,
                                                 std::function<void(response)> respond) {
    const auto started = std::chrono::steady_clock::now();
    apply_forwarded(req, proxies);
    const auto method = method_label(req.method);
    // A caller's trace is continued only from a trusted proxy: the trace id goes into the
    // events' metadata, and anyone else could choose it to tie their changes to another's
    // trace in the audit log. Others start a trace of their own that names theirs.
    const auto caller = telemetry::parse_traceparent(req.header("traceparent"));
    // Named once the route is known (dispatch finds it): `{method} {route}`.
    telemetry::span serving(
        "berth.http", method, telemetry::span_kind::server,
        req.from_trusted_proxy && caller ? *caller : telemetry::trace_context{});
    if (caller && !req.from_trusted_proxy) {
      serving.set("berth.caller.traceparent", telemetry::format_traceparent(*caller));
    }
    serving.set("http.request.method", method);
    serving.set("url.path", req.path());
    serving.set("client.address", req.remote_address);
    if (req.websocket_upgrade) serving.set("http.upgrade", "websocket");
    const std::string traceparent = telemetry::format_traceparent(serving.context());

    std::string route;
    metrics.in_flight.add(1);
    // A forged cross-site request is refused before any handler sees it (request_guard.hpp).
    auto refused = refuse_cross_site(req);
    auto res = refused ? std::move(*refused) : routes.dispatch(req, &route);
    if (refused) route = routes.route_of(req);
    metrics.in_flight.add(-1);
    // Paths no route knows (the browser UI's files, unknown /api paths) share one label.
    if (route.empty()) route = req.path().rfind("/api/", 0) == 0 ? "/api/{unknown}" : "/{ui}";
    serving.rename(std::string(method) + " " + route);
    serving.set("http.route", route);

    const int status = res.websocket && req.websocket_upgrade ? 101 : res.status;
    serving.set("http.response.status_code", static_cast<std::int64_t>(status));
    if (status >= 500) {
      serving.set("error.type", std::to_string(status));
      serving.set_error(std::to_string(status));
    }
    res.headers.emplace_back("traceparent", traceparent);
    if (req.https) {
      res.headers.emplace_back("Strict-Transport-Security", std::string(strict_transport_security));
    }
    // The access log line, inside the span so it carries the trace: server errors always,
    // everything at debug level. The path only (a query could hold something private).
    const auto severity = status >= 500 ? telemetry::level::error : telemetry::level::debug;
    telemetry::log(severity, "http.access", "request answered",
                   {{"method", method},
                    {"route", std::string_view(route)},
                    {"path", std::string_view(req.path())},
                    {"status", static_cast<std::int64_t>(status)},
                    {"duration_ms", std::chrono::duration<double, std::milli>(
                                        std::chrono::steady_clock::now() - started)
                                        .count()},
                    {"client", std::string_view(req.remote_address)}});
    // The span ends with the response head: a streamed body or a WebSocket lives on.
    serving.end();
    metrics.requests.with({method, route, std::to_string(status)}).add();
    metrics.duration.with({method, route}).observe_since(started);
    respond(std::move(res));
  };
}

}  // namespace berth::http
