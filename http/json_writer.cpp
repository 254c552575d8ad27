#include "http/json_writer.hpp"

#include <charconv>

#include "telemetry/log.hpp"

namespace berth::http {

void json_writer::separate() {
  if (after_value_) out_.push_back(',');
  after_value_ = false;
}

json_writer& json_writer::begin_object() {
  separate();
  out_.push_back('{');
  return *this;
}

json_writer& json_writer::end_object() {
  out_.push_back('}');
  after_value_ = true;
  return *this;
}

json_writer& json_writer::begin_array() {
  separate();
  out_.push_back('[');
  return *this;
}

json_writer& json_writer::end_array() {
  out_.push_back(']');
  after_value_ = true;
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  separate();
  out_.push_back('"');
  telemetry::append_json_escaped(out_, name);
  out_ += "\":";
  return *this;
}

json_writer& json_writer::value(std::string_view text) {
  separate();
  out_.push_back('"');
  telemetry::append_json_escaped(out_, text);
  out_.push_back('"');
  after_value_ = true;
  return *this;
}

json_writer& json_writer::value(std::int64_t number) {
  separate();
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, number);
  out_.append(digits, written.ptr);
  after_value_ = true;
  return *this;
}

json_writer& json_writer::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  after_value_ = true;
  return *this;
}

}  // namespace berth::http
