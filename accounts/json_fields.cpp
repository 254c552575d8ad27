#include "accounts/json_fields.hpp"

#include <boost/json/parse.hpp>

namespace berth::accounts {

std::optional<json_fields> json_fields::parse(std::string_view text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return json_fields(std::move(value.as_object()));
}

std::optional<std::string> json_fields::text(std::string_view key) const {
  const auto* found = object_.if_contains(key);
  if (!found || !found->is_string()) return std::nullopt;
  return std::string(found->as_string());
}

std::optional<std::int64_t> json_fields::integer(std::string_view key) const {
  const auto* found = object_.if_contains(key);
  if (!found) return std::nullopt;
  if (found->is_int64()) return found->as_int64();
  if (found->is_uint64() && found->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(found->as_uint64());
  }
  return std::nullopt;
}

std::optional<bool> json_fields::boolean(std::string_view key) const {
  const auto* found = object_.if_contains(key);
  if (!found || !found->is_bool()) return std::nullopt;
  return found->as_bool();
}

std::optional<json_fields> json_fields::object(std::string_view key) const {
  const auto* found = object_.if_contains(key);
  if (!found || !found->is_object()) return std::nullopt;
  return json_fields(found->as_object());
}

}  // namespace berth::accounts
