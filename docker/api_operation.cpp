#include "docker/api_operation.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace berth::docker {
namespace {

/// A path segment naming one object of a collection: what it becomes, and the segments that
/// name the collection's own endpoints instead (`/containers/json`, `/images/create`).
struct collection {
  std::string_view placeholder;
  std::set<std::string_view> own_endpoints;
};

const std::map<std::string_view, collection, std::less<>>& collections() {
  static const std::map<std::string_view, collection, std::less<>> known{
      {"containers", {"{id}", {"create", "json", "prune"}}},
      {"exec", {"{id}", {}}},
      {"images", {"{name}", {"build", "create", "get", "json", "load", "prune", "search"}}},
      {"volumes", {"{name}", {"create", "prune"}}},
      {"networks", {"{id}", {"create", "prune"}}},
      {"plugins", {"{name}", {"create", "privileges", "pull"}}},
      {"services", {"{id}", {"create"}}},
      {"tasks", {"{id}", {}}},
      {"secrets", {"{id}", {"create"}}},
      {"configs", {"{id}", {"create"}}},
      {"nodes", {"{id}", {}}},
  };
  return known;
}

/// What may follow an image's name (`/images/{name}/json`).
bool is_image_endpoint(std::string_view segment) {
  return segment == "json" || segment == "tag" || segment == "push" || segment == "history" ||
         segment == "get";
}

/// A fixed word of the API (`start`, `_ping`, `json`) rather than data.
bool is_word(std::string_view segment) {
  return !segment.empty() && std::all_of(segment.begin(), segment.end(),
                                         [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

/// `v1.41`, `v1`: the version prefix of a versioned path.
bool is_version(std::string_view segment) {
  if (segment.size() < 2 || segment[0] != 'v') return false;
  return std::all_of(segment.begin() + 1, segment.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

std::string api_operation(std::string_view method, std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  std::vector<std::string_view> segments;
  for (std::size_t start = 0; start < path.size();) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!segments.empty() && is_version(segments.front())) segments.erase(segments.begin());

  std::string out(method);
  out += ' ';
  if (segments.empty()) out += '/';
  const auto append = [&out](std::string_view segment) {
    out += '/';
    out += segment;
  };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto segment = segments[i];
    const auto found = collections().find(segment);
    if (found == collections().end() || i + 1 == segments.size()) {
      append(is_word(segment) ? segment : "{id}");
      continue;
    }
    append(segment);
    const auto next = segments[i + 1];
    if (found->second.own_endpoints.count(next)) {
      append(next);
      ++i;
      continue;
    }
    append(found->second.placeholder);
    if (segment == "images") {
      // The name runs up to an image endpoint at the end, or to the end.
      if (segments.size() - i > 2 && is_image_endpoint(segments.back())) append(segments.back());
      break;
    }
    ++i;
  }
  return out;
}

}  // namespace berth::docker
