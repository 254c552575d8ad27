#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "events/event.hpp"

namespace berth::projections {

/// Typed, total access to an event's JSON object: a missing or mistyped field reads as the
/// type's default, so apply functions never fail on malformed history (docs/events.md
/// promises the fields; validation belongs in `decide`).
class json_fields {
 public:
  /// Parses `json_text`; anything but a JSON object reads as an empty object.
  explicit json_fields(std::string_view json_text);

  /// The string at `key`, or nullopt.
  std::optional<std::string> optional_text(std::string_view key) const;
  /// The string at `key`, or "".
  std::string text(std::string_view key) const { return optional_text(key).value_or(""); }
  /// The integer at `key` (a float is truncated), or nullopt.
  std::optional<std::int64_t> optional_integer(std::string_view key) const;
  /// The integer at `key`, or 0.
  std::int64_t integer(std::string_view key) const { return optional_integer(key).value_or(0); }
  /// The boolean at `key`, or false.
  bool boolean(std::string_view key) const;
  /// The JSON text of the value at `key`, or `fallback` when it is missing.
  std::string json(std::string_view key, std::string_view fallback) const;

 private:
  boost::json::object object_;
};

/// The entity id of an event's stream: the part after the first `-` (`workspace-42` → `42`).
std::string entity_id_of(const events::recorded_event& event);

/// A statement parameter holding an integer.
std::string integer_param(std::int64_t value);
/// A statement parameter holding a boolean.
std::string boolean_param(bool value);
/// An optional integer as a statement parameter (NULL when absent).
std::optional<std::string> optional_integer_param(std::optional<std::int64_t> value);

/// When the event was recorded, in milliseconds since the Unix epoch.
std::int64_t recorded_ms(const events::recorded_event& event);

}  // namespace berth::projections
