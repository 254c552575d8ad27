#include "http/router.hpp"

#include <algorithm>

namespace berth::http {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_parameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
             route_params& params) {
  if (pattern.size() != path.size()) return false;
  route_params found;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_parameter(pattern[i])) {
      if (path[i].empty()) return false;
      found[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void router::add(std::string method, const std::string& pattern, route_handler on_match) {
  routes_.push_back({std::move(method), pattern, split_path(pattern), std::move(on_match)});
}

const router::route* router::find(const request& req, route_params& params,
                                  std::vector<std::string>* allowed) const {
  const auto path = split_path(req.path());
  const auto& method = req.method == "HEAD" ? std::string("GET") : req.method;
  for (const auto& candidate : routes_) {
    route_params found;
    if (!matches(candidate.segments, path, found)) continue;
    if (candidate.method == method) {
      params = std::move(found);
      return &candidate;
    }
    if (allowed) allowed->push_back(candidate.method);
  }
  return nullptr;
}

response router::dispatch(const request& req, std::string* matched_route) const {
  route_params params;
  std::vector<std::string> allowed;
  const auto* found = find(req, params, &allowed);
  if (matched_route) *matched_route = found ? found->pattern : std::string();
  if (found) return found->handler(req, params);
  if (allowed.empty()) {
    const auto path = req.path();
    const bool api = path == "/api" || path.starts_with("/api/");
    if (fallback_ && !api) return fallback_(req, {});
    return error_response(404, "not_found", "no such route");
  }
  std::string allow;
  for (const auto& method : allowed)
    allow += (allow.empty() ? "" : ", ") + method;
  auto refused = error_response(405, "method_not_allowed", "allowed: " + allow);
  refused.headers.emplace_back("Allow", allow);
  return refused;
}

void router::set_fallback(route_handler on_other_path) {
  fallback_ = std::move(on_other_path);
}

std::string router::route_of(const request& req) const {
  route_params ignored;
  const auto* found = find(req, ignored, nullptr);
  return found ? found->pattern : std::string();
}

}  // namespace berth::http
