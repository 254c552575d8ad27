#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http/server.hpp"

namespace berth::http {

/// Values of a route's `{name}` segments, e.g. {"id": "0193..."}.
using route_params = std::map<std::string, std::string>;

/// A route's handler; runs on a worker thread and may block.
using route_handler = std::function<response(const request&, const route_params&)>;

/// Maps method + path template (`/api/workspaces/{id}/star`) to handlers. A `{name}` segment
/// matches one non-empty path segment. Add all routes (and the fallback) before serving;
/// dispatch is then read-only and thread-safe.
class router {
 public:
  /// Adds a route; `pattern` starts with `/`.
  void add(std::string method, const std::string& pattern, route_handler on_match);
  /// Runs the matching handler: 404 when no pattern matches the path, 405 (with `Allow`) when
  /// one does but not for this method. HEAD is served by GET routes. `matched_route`, when
  /// given, gets the pattern that matched (empty when none did), for metrics and traces.
  response dispatch(const request& req, std::string* matched_route = nullptr) const;
  /// The pattern that matches `req`'s path and method (for metrics and traces), or empty.
  std::string route_of(const request& req) const;
  /// Answers requests for paths outside `/api/` that no pattern matches (the browser UI's
  /// files); without it they get the JSON 404.
  void set_fallback(route_handler on_other_path);

 private:
  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    route_handler handler;
  };
  const route* find(const request& req, route_params& params,
                    std::vector<std::string>* allowed) const;
  std::vector<route> routes_;
  route_handler fallback_;
};

}  // namespace berth::http
