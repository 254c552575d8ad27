#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace berth::events {

/// What went wrong in an event-store call; each maps to one HTTP status at the edge.
enum class error_code {
  concurrency_conflict,    ///< the stream's version was not the expected one
  not_found,               ///< no such stream or snapshot
  dependency_unavailable,  ///< PostgreSQL unreachable; the call may be retried later
  invalid_argument,        ///< the request itself is malformed (bad JSON, reused event id)
  corrupted,               ///< stored data fails an integrity check
  internal,                ///< an unexpected database error (a bug or an operator problem)
};

/// A typed event-store error with a human-readable message.
struct error {
  error_code code;
  std::string message;
  /// For concurrency_conflict: the stream's actual version (0 when it does not exist).
  std::int64_t actual_version = -1;
};

/// The result of an event-store call: a value or a typed error, never an exception.
template <class T>
using result = tl::expected<T, error>;

/// Builds the unexpected half of a result.
inline tl::unexpected<error> fail(error_code code, std::string message,
                                  std::int64_t actual_version = -1) {
  return tl::unexpected<error>(error{code, std::move(message), actual_version});
}

/// Stable, lowercase name of an error code (`concurrency_conflict`, ...).
std::string_view to_string(error_code code);

}  // namespace berth::events
