#pragma once

// The strict reader the event codecs of this folder share: a stored event decodes only when
// every field is there with its JSON type, so an old or damaged event is never half-read.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace berth::actors {

/// The JSON object of an event's data, or nothing when `data` is not one; never throws.
inline std::optional<boost::json::object> parse_event_data(const std::string& data) {
  boost::json::error_code error;
  auto value = boost::json::parse(data, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

/// Reads typed fields from a JSON object; any missing or mistyped field marks it failed.
class event_fields {
 public:
  explicit event_fields(const boost::json::object& object) : object_(object) {}

  /// A string field.
  std::string text(const char* key) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || !value->is_string()) return fail<std::string>();
    return std::string(value->get_string());
  }
  /// An integer field within [min, max].
  std::int64_t integer(const char* key, std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                       std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || !value->is_int64()) return fail<std::int64_t>();
    const auto number = value->get_int64();
    if (number < min || number > max) return fail<std::int64_t>();
    return number;
  }
  /// An integer field within [min, max] that may be `null` (nothing then), but not absent.
  std::optional<std::int64_t> nullable_integer(
      const char* key, std::int64_t min = std::numeric_limits<std::int64_t>::min(),
      std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
    const auto* value = object_.if_contains(key);
    if (value != nullptr && value->is_null()) return std::nullopt;
    return integer(key, min, max);
  }
  /// A boolean field.
  bool boolean(const char* key) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || !value->is_bool()) return fail<bool>();
    return value->get_bool();
  }
  /// An array-of-strings field.
  std::vector<std::string> texts(const char* key) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || !value->is_array()) return fail<std::vector<std::string>>();
    std::vector<std::string> out;
    for (const auto& element : value->get_array()) {
      if (!element.is_string()) return fail<std::vector<std::string>>();
      out.emplace_back(element.get_string());
    }
    return out;
  }
  /// An object field, to read with a nested reader; null (and failed) when it is not one.
  const boost::json::object* object(const char* key) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr || !value->is_object()) return fail<const boost::json::object*>();
    return &value->get_object();
  }
  /// Whether the field is present, whatever its type.
  bool has(const char* key) const { return object_.contains(key); }
  /// Marks the data failed for a reason the caller found (a nested reader failed, ...).
  void mark_failed() { ok_ = false; }
  /// Whether every field read so far was present with its type and range.
  bool ok() const { return ok_; }

 private:
  template <class T>
  T fail() {
    ok_ = false;
    return T{};
  }
  const boost::json::object& object_;
  bool ok_ = true;
};

}  // namespace berth::actors
