#include "http/json_body.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace berth::http {
namespace {

std::string quoted(std::string_view key) {
  return "`" + std::string(key) + "`";
}

checked<void> only_allowed(const boost::json::object& object, std::string_view where,
                           std::initializer_list<std::string_view> allowed) {
  for (const auto& entry : object) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(entry.key())) == allowed.end()) {
      return tl::unexpected(
          invalid_response("unknown field " + quoted(entry.key()) + std::string(where)));
    }
  }
  return {};
}

}  // namespace

response invalid_response(const std::string& message) {
  return error_response(422, "invalid", message);
}

response json_response(int status, const boost::json::value& body) {
  response out;
  out.status = status;
  out.body = boost::json::serialize(body);
  return out;
}

response json_text_response(int status, std::string body) {
  response out;
  out.status = status;
  out.body = std::move(body);
  return out;
}

checked<boost::json::object> parse_json_object(const request& req,
                                               std::initializer_list<std::string_view> allowed) {
  if (req.body.empty()) return boost::json::object{};
  boost::system::error_code ec;
  auto value = boost::json::parse(req.body, ec);
  if (ec) return tl::unexpected(error_response(400, "malformed", "body is not valid JSON"));
  if (!value.is_object()) {
    return tl::unexpected(error_response(400, "malformed", "body must be a JSON object"));
  }
  auto checked_keys = only_allowed(value.as_object(), "", allowed);
  if (!checked_keys) return tl::unexpected(checked_keys.error());
  return std::move(value.as_object());
}

checked<const boost::json::object*> expect_object(const boost::json::value& value,
                                                  std::string_view field,
                                                  std::initializer_list<std::string_view> allowed) {
  if (!value.is_object())
    return tl::unexpected(invalid_response(quoted(field) + " must be an object"));
  auto checked_keys = only_allowed(value.as_object(), " in " + quoted(field), allowed);
  if (!checked_keys) return tl::unexpected(checked_keys.error());
  return &value.as_object();
}

checked<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                    std::string_view key, std::size_t max_size) {
  const auto* found = body.if_contains(key);
  if (!found) return std::optional<std::string>{};
  if (!found->is_string())
    return tl::unexpected(invalid_response(quoted(key) + " must be a string"));
  const auto& text = found->as_string();
  if (text.size() > max_size) {
    return tl::unexpected(
        invalid_response(quoted(key) + " is longer than " + std::to_string(max_size) + " bytes"));
  }
  return std::optional<std::string>(std::string(text));
}

checked<std::string> required_string(const boost::json::object& body, std::string_view key,
                                     std::size_t max_size) {
  auto value = optional_string(body, key, max_size);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return tl::unexpected(invalid_response(quoted(key) + " is required"));
  return std::move(**value);
}

checked<std::optional<std::int64_t>> optional_integer(const boost::json::object& body,
                                                      std::string_view key, std::int64_t min,
                                                      std::int64_t max) {
  const auto* found = body.if_contains(key);
  if (!found) return std::optional<std::int64_t>{};
  std::optional<std::int64_t> number;
  if (found->is_int64()) number = found->as_int64();
  if (found->is_uint64() && found->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    number = static_cast<std::int64_t>(found->as_uint64());
  }
  if (!number || *number < min || *number > max) {
    return tl::unexpected(invalid_response(quoted(key) + " must be an integer from " +
                                           std::to_string(min) + " to " + std::to_string(max)));
  }
  return number;
}

checked<std::optional<bool>> optional_bool(const boost::json::object& body, std::string_view key) {
  const auto* found = body.if_contains(key);
  if (!found) return std::optional<bool>{};
  if (!found->is_bool())
    return tl::unexpected(invalid_response(quoted(key) + " must be true or false"));
  return std::optional<bool>(found->as_bool());
}

}  // namespace berth::http
