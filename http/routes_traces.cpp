// /api/admin/traces: the recent traces this server recorded (a bounded in-memory ring, no
// collector needed), for the admin page's waterfall. Admins only: spans name routes, users'
// addresses and workspace ids.

#include <boost/json.hpp>

#include "http/api.hpp"
#include "telemetry/tracer.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;

constexpr std::int64_t default_limit = 50, max_limit = 500;

std::string_view kind_name(telemetry::span_kind kind) {
  switch (kind) {
    case telemetry::span_kind::server:
      return "server";
    case telemetry::span_kind::client:
      return "client";
    case telemetry::span_kind::producer:
      return "producer";
    case telemetry::span_kind::consumer:
      return "consumer";
    case telemetry::span_kind::internal:
      break;
  }
  return "internal";
}

json::value attribute_json(const telemetry::attribute_value& value) {
  return std::visit([](const auto& typed) { return json::value(typed); }, value);
}

double milliseconds_between(std::int64_t from_nano, std::int64_t to_nano) {
  return static_cast<double>(to_nano - from_nano) / 1e6;
}

response list_traces(const request& req) {
  std::int64_t limit = default_limit;
  auto parameters = query_parameters(req);
  if (!parameters) return invalid_response(parameters.error());
  for (const auto& [name, value] : *parameters) {
    if (name != "limit") return invalid_response("unknown query parameter `" + name + "`");
    try {
      std::size_t used = 0;
      limit = std::stoll(value, &used);
      if (used != value.size() || limit < 1 || limit > max_limit) throw std::out_of_range(name);
    } catch (const std::exception&) {
      return invalid_response("`limit` must be an integer from 1 to " + std::to_string(max_limit));
    }
  }
  json::array traces;
  for (const auto& trace : telemetry::recent_traces(static_cast<std::size_t>(limit))) {
    traces.push_back(json::object{
        {"trace_id", trace.trace_id},
        {"name", trace.root_name},
        {"start_unix_nano", std::to_string(trace.start_unix_nano)},
        {"duration_ms", milliseconds_between(trace.start_unix_nano, trace.end_unix_nano)},
        {"spans", trace.span_count},
        {"error", trace.error},
    });
  }
  return json_response(200, json::object{{"traces", std::move(traces)}});
}

response one_trace(const std::string& trace_id) {
  telemetry::trace_id parsed{};
  if (!telemetry::from_hex(trace_id, parsed.data(), parsed.size())) {
    return invalid_response("a trace id is 32 lowercase hex digits");
  }
  const auto spans = telemetry::spans_of_trace(trace_id);
  if (spans.empty()) {
    return error_response(404, "not_found",
                          "no such trace among the recent ones (the ring keeps the newest spans)");
  }
  const auto start = spans.front().start_unix_nano;
  json::array out;
  for (const auto& span : spans) {
    json::object attributes;
    for (const auto& [key, value] : span.attributes)
      attributes[key] = attribute_json(value);
    out.push_back(json::object{
        {"span_id", span.context.span_id_hex()},
        {"parent_span_id",
         span.parent == telemetry::span_id{}
             ? json::value(nullptr)
             : json::value(telemetry::to_hex(span.parent.data(), span.parent.size()))},
        {"name", span.name},
        {"scope", span.scope},
        {"kind", kind_name(span.kind)},
        {"start_unix_nano", std::to_string(span.start_unix_nano)},
        {"end_unix_nano", std::to_string(span.end_unix_nano)},
        {"offset_ms", milliseconds_between(start, span.start_unix_nano)},
        {"duration_ms", milliseconds_between(span.start_unix_nano, span.end_unix_nano)},
        {"error", span.error},
        {"status_message", span.status_message},
        {"attributes", std::move(attributes)},
    });
  }
  return json_response(200, json::object{{"trace_id", trace_id}, {"spans", std::move(out)}});
}

}  // namespace

void add_trace_routes(router& routes, api_services& services) {
  routes.add("GET", "/api/admin/traces",
             signed_in(services,
                       [](const request& req, const route_params&, const accounts::principal& who) {
                         if (auto refused = require_admin(who)) return *refused;
                         return list_traces(req);
                       }));
  routes.add("GET", "/api/admin/traces/{trace_id}",
             signed_in(services, [](const request&, const route_params& params,
                                    const accounts::principal& who) {
               if (auto refused = require_admin(who)) return *refused;
               return one_trace(params.at("trace_id"));
             }));
}

}  // namespace berth::http
