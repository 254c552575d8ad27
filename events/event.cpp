#include "events/event.hpp"

#include "events/error.hpp"

namespace berth::events {

std::string stream_type_of(const std::string& stream_id) {
  return stream_id.substr(0, stream_id.find('-'));
}

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::concurrency_conflict:
      return "concurrency_conflict";
    case error_code::not_found:
      return "not_found";
    case error_code::dependency_unavailable:
      return "dependency_unavailable";
    case error_code::invalid_argument:
      return "invalid_argument";
    case error_code::corrupted:
      return "corrupted";
    case error_code::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace berth::events
