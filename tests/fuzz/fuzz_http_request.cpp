// Untrusted request parts the REST layer parses itself: the JSON body (strict object with
// known fields), the path against the route table, the query string, the Cookie header and
// `traceparent`, the CSRF guard's reading of Origin, Sec-Fetch-Site and Content-Type, and a
// trusted proxy's X-Forwarded-For and X-Forwarded-Proto.
// Beast has already parsed the HTTP framing; these must never crash or accept garbage.

#include <cstddef>
#include <cstdint>
#include <string>

#include "http/forwarded.hpp"
#include "http/json_body.hpp"
#include "http/request_fields.hpp"
#include "http/request_guard.hpp"
#include "http/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth::http;
  const std::string input(reinterpret_cast<const char*>(data), size);

  request req;
  req.method = "POST";
  req.target = "/api/workspaces";
  req.body = input;
  if (auto body = parse_json_object(req, {"name", "template", "start", "limits"})) {
    (void)required_string(*body, "name", 64);
    (void)optional_bool(*body, "start");
    (void)optional_integer(*body, "template", 0, 100);
    if (const auto* limits = body->if_contains("limits")) {
      (void)expect_object(*limits, "limits", {"pids"});
    }
  }

  static const router routes = [] {
    router table;
    for (const auto* pattern : {"/api/workspaces", "/api/workspaces/{id}",
                                "/api/workspaces/{id}/star", "/api/me/secrets/{name}"}) {
      table.add("GET", pattern, [](const request&, const route_params& params) {
        response out;
        // A parameter is one non-empty segment: never a slash, never empty.
        for (const auto& [name, value] : params) {
          if (value.empty() || value.find('/') != std::string::npos) __builtin_trap();
        }
        return out;
      });
    }
    return table;
  }();
  request get;
  get.method = size % 2 ? "GET" : "DELETE";
  get.target = "/" + input;
  (void)routes.dispatch(get);

  request query;
  query.target = "/api/audit?" + input;
  if (auto parameters = query_parameters(query)) {
    for (const auto& [name, value] : *parameters) {
      if (name.empty()) __builtin_trap();  // a parameter always has a name
    }
  }

  request headers;
  headers.from_trusted_proxy = true;
  headers.headers = {{"cookie", input}, {"traceparent", input}};
  (void)cookie_value(headers, "berth_session");
  const auto trace_id = trace_id_of(headers);
  if (!trace_id.empty() && trace_id.size() != 32) __builtin_trap();

  request forged;
  forged.method = "POST";
  forged.target = "/api/admin/users";
  forged.headers = {{"host", "berth.example"},
                    {"origin", input},
                    {"sec-fetch-site", input},
                    {"content-type", input}};
  // One text cannot be this origin, a same-origin fetch and JSON at once: always refused.
  if (!input.empty() && !refuse_cross_site(forged)) __builtin_trap();

  // The proxy's headers give an address, or the peer stays; the text is also a proxy list.
  static const auto proxies = *trusted_proxies::parse("127.0.0.1");
  request proxied;
  proxied.remote_address = "127.0.0.1";
  proxied.headers = {{"x-forwarded-for", input}, {"x-forwarded-proto", input}};
  apply_forwarded(proxied, proxies);
  if (proxied.remote_address.empty() || !trusted_proxies::parse(proxied.remote_address)) {
    __builtin_trap();
  }
  if (auto listed = trusted_proxies::parse(input); listed && listed->contains(input)) {
    if (input.find(',') != std::string::npos) __builtin_trap();  // one address, not a list
  }
  return 0;
}
