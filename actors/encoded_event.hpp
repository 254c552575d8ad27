#pragma once

#include <string>

namespace berth::actors {

/// An event as stored: its type name and JSON data (docs/events.md).
struct encoded_event {
  std::string type;
  std::string data;
};

}  // namespace berth::actors
