#pragma once

#include <optional>
#include <string>
#include <vector>

#include "events/event.hpp"
#include "events/uuid.hpp"

namespace berth::events {

/// A new event with a fresh id.
inline new_event make_event(std::string type = "Tested", std::string data = R"({"n":1})",
                            std::optional<std::string> body = std::nullopt) {
  return new_event{make_uuid_v7(),  std::move(type), 1,
                   std::move(data), std::move(body), R"({"actor":"test"})"};
}

/// An append of `count` fresh events.
inline append_request make_append(std::string stream, std::int64_t expected, int count = 1) {
  append_request request{std::move(stream), "", expected, {}};
  for (int i = 0; i < count; ++i) {
    request.events.push_back(make_event("Tested", R"({"i":)" + std::to_string(i) + "}"));
  }
  return request;
}

}  // namespace berth::events
