#pragma once

// Strict JSON request bodies: an object whose keys are all known, fields of the right type
// and size. Every failure is the error response to send (400 malformed, 422 invalid).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <tl/expected.hpp>

#include "http/server.hpp"

namespace berth::http {

template <class T>
using checked = tl::expected<T, response>;

/// Parses the body as a JSON object with only `allowed` keys: 400 for malformed JSON or a
/// non-object, 422 naming the first unknown field. An empty body reads as `{}`.
checked<boost::json::object> parse_json_object(const request& req,
                                               std::initializer_list<std::string_view> allowed);
/// Checks that `value` is an object with only `allowed` keys (for nested objects).
checked<const boost::json::object*> expect_object(const boost::json::value& value,
                                                  std::string_view field,
                                                  std::initializer_list<std::string_view> allowed);

/// The string field `key`, or nothing when absent; 422 for another type or more than
/// `max_size` bytes.
checked<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                    std::string_view key,
                                                    std::size_t max_size = 1024);
/// Like optional_string, but 422 when absent.
checked<std::string> required_string(const boost::json::object& body, std::string_view key,
                                     std::size_t max_size = 1024);
/// The integer field `key` in [min, max], or nothing when absent; 422 otherwise.
checked<std::optional<std::int64_t>> optional_integer(const boost::json::object& body,
                                                      std::string_view key, std::int64_t min,
                                                      std::int64_t max);
/// The boolean field `key`, or nothing when absent; 422 for another type.
checked<std::optional<bool>> optional_bool(const boost::json::object& body, std::string_view key);

/// A JSON response with `status`.
response json_response(int status, const boost::json::value& body);
/// A JSON response with `status` whose body is already JSON text.
response json_text_response(int status, std::string body);
/// 422 `invalid` with `message`.
response invalid_response(const std::string& message);

}  // namespace berth::http
