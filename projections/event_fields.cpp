#include "projections/event_fields.hpp"

namespace berth::projections {

json_fields::json_fields(std::string_view json_text) {
  boost::json::error_code error;
  auto parsed = boost::json::parse(json_text, error);
  if (error) return;
  if (auto* object = parsed.if_object()) object_ = std::move(*object);
}

std::optional<std::string> json_fields::optional_text(std::string_view key) const {
  const auto* value = object_.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::int64_t> json_fields::optional_integer(std::string_view key) const {
  const auto* value = object_.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (const auto* number = value->if_int64()) return *number;
  if (const auto* number = value->if_uint64()) return static_cast<std::int64_t>(*number);
  if (const auto* number = value->if_double()) return static_cast<std::int64_t>(*number);
  return std::nullopt;
}

bool json_fields::boolean(std::string_view key) const {
  const auto* value = object_.if_contains(key);
  return value != nullptr && value->is_bool() && value->get_bool();
}

std::string json_fields::json(std::string_view key, std::string_view fallback) const {
  const auto* value = object_.if_contains(key);
  if (value == nullptr || value->is_null()) return std::string(fallback);
  return boost::json::serialize(*value);
}

std::string entity_id_of(const events::recorded_event& event) {
  const auto dash = event.stream_id.find('-');
  return dash == std::string::npos ? event.stream_id : event.stream_id.substr(dash + 1);
}

std::string integer_param(std::int64_t value) {
  return std::to_string(value);
}

std::string boolean_param(bool value) {
  return value ? "true" : "false";
}

std::optional<std::string> optional_integer_param(std::optional<std::int64_t> value) {
  if (!value) return std::nullopt;
  return integer_param(*value);
}

std::int64_t recorded_ms(const events::recorded_event& event) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(event.recorded_at.time_since_epoch())
      .count();
}

}  // namespace berth::projections
