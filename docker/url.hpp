#pragma once

#include <string>
#include <string_view>

namespace berth::docker {

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
std::string encode_query_value(std::string_view value);

/// Percent-encodes a path segment that may hold '/' and ':' (image references).
std::string encode_path(std::string_view value);

}  // namespace berth::docker
