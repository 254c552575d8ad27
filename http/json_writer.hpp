#pragma once

// JSON text written straight into a string, for responses on hot paths (the workspace list):
// no document tree, one growing buffer. Strings are escaped as RFC 8259 requires, invalid
// UTF-8 replaced by U+FFFD (telemetry::append_json_escaped).

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::http {

class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  /// An object member's name; the next call writes its value.
  json_writer& key(std::string_view name);
  json_writer& value(std::string_view text);
  json_writer& value(const char* text) { return value(std::string_view(text)); }
  json_writer& value(std::int64_t number);
  json_writer& value(bool flag);

  /// The text written so far (a whole value once every object and array is ended).
  std::string take() && { return std::move(out_); }

 private:
  /// A comma before an array element or member that follows another.
  void separate();

  std::string out_;
  bool after_value_ = false;
};

}  // namespace berth::http
