#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace berth::docker {

/// What went wrong in a call to the Docker daemon, coarse enough for callers to switch on.
enum class error_code {
  not_found,            ///< 404: no such container, image, volume, exec or path.
  conflict,             ///< 409: name in use, container paused or not running, volume in use.
  not_modified,         ///< 304 where the caller asked for a change that cannot be a no-op.
  bad_request,          ///< 400 and other 4xx: the daemon rejected the request as invalid.
  daemon_unavailable,   ///< The socket is missing, refused the connection or closed early.
  timeout,              ///< A connect, total or idle deadline expired.
  protocol,             ///< The reply could not be understood (bad JSON, bad framing, bad HTTP).
  server_error,         ///< 5xx: the daemon failed while serving the request.
  unsupported_version,  ///< The daemon speaks an Engine API older than the one Berth needs.
  cancelled,            ///< The caller stopped the transfer (a sink refused data, a stop request).
};

/// A failed Docker call: the category, the HTTP status (0 when none was received) and a message.
struct error {
  error_code code = error_code::protocol;
  int http_status = 0;
  std::string message;
};

/// Stable lower-case name of an error code, e.g. "not_found", for logs and API responses.
std::string_view to_string(error_code code);

/// Writes the name of an error code, so test failures and logs show "conflict", not bytes.
std::ostream& operator<<(std::ostream& out, error_code code);

/// One-line description of an error for logs: "not_found (404): No such image: x".
std::string describe(const error& failure);

/// Maps an HTTP status of a failed call to an error code, e.g. 404 to `not_found`.
error_code code_for_status(int http_status);

/// Builds the error for a non-success HTTP reply from the daemon's `{"message": ...}` body.
error error_from_reply(int http_status, std::string_view body);

}  // namespace berth::docker
