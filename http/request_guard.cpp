#include "http/request_guard.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "http/request_fields.hpp"

namespace berth::http {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// Methods that read (RFC 9110 section 9.2.1 "safe"): a forged one changes nothing.
bool is_safe_method(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

/// The media type of a Content-Type value, without parameters (`; charset=utf-8`).
std::string_view media_type_of(std::string_view content_type) {
  return trim_blanks(content_type.substr(0, content_type.find(';')));
}

response cross_site(const std::string& message) {
  return error_response(403, "cross_site_request", message);
}

}  // namespace

bool origin_allowed(const request& req) {
  const auto origin = req.header("origin");
  if (origin.empty()) return true;
  const auto host = req.header("host");
  return !host.empty() && (origin == "http://" + host || origin == "https://" + host);
}

std::optional<response> refuse_cross_site(const request& req) {
  if (is_safe_method(req.method) || req.path().rfind("/api/", 0) != 0) return std::nullopt;
  const auto fetch_site = req.header("sec-fetch-site");
  if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none") {
    return cross_site("requests that change something are accepted from this server's pages only");
  }
  if (!origin_allowed(req)) {
    return cross_site("the request's Origin is not this server");
  }
  const auto content_type = req.header("content-type");
  if ((!req.body.empty() || !content_type.empty()) &&
      !equals_ignoring_case(media_type_of(content_type), "application/json")) {
    return error_response(415, "unsupported_media_type",
                          "send the body as JSON with `Content-Type: application/json`");
  }
  return std::nullopt;
}

}  // namespace berth::http
