#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace berth::accounts {

/// Typed reads of a stored event's JSON object: a missing or mistyped field reads as nothing,
/// so each parser decides which fields it cannot do without.
class json_fields {
 public:
  /// Nothing when `text` is not a JSON object.
  static std::optional<json_fields> parse(std::string_view text);
  explicit json_fields(boost::json::object object) : object_(std::move(object)) {}

  std::optional<std::string> text(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;
  /// The object at `key`, or nothing.
  std::optional<json_fields> object(std::string_view key) const;
  const boost::json::object& raw() const { return object_; }

 private:
  boost::json::object object_;
};

}  // namespace berth::accounts
