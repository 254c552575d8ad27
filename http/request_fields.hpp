#pragma once

// Fields read from request headers; small and free of Beast, so the fuzzer can reach them.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "http/server.hpp"

namespace berth::http {

/// `text` without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);

/// The value of cookie `name` in the request's Cookie headers, or empty.
std::string cookie_value(const request& req, std::string_view name);

/// The trace id of a valid W3C `traceparent` header from a trusted proxy, or empty: an
/// invalid header is ignored, as the spec asks, and anyone else's is not believed.
std::string trace_id_of(const request& req);

/// The raw value of query parameter `name` (empty for `?name` without `=`), or nothing when
/// absent. No percent-decoding: Berth's parameters are numbers and flags.
std::optional<std::string_view> query_value(const request& req, std::string_view name);

/// Every query parameter by name, percent-decoded (`+` is a space); an error message when an
/// escape is malformed, a name is empty or a parameter is given twice.
tl::expected<std::map<std::string, std::string>, std::string> query_parameters(const request& req);

}  // namespace berth::http
