#pragma once

// HTTP/1.1 to the daemon through one libcurl easy handle. Internal to berth_docker; keeps
// <curl/curl.h> out of client.hpp.

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "docker/body_stream.hpp"
#include "docker/docker_host.hpp"
#include "docker/error.hpp"

namespace berth::docker {

/// One HTTP exchange with the daemon.
struct http_request {
  std::string_view method = "GET";  ///< GET, POST, PUT or DELETE.
  std::string target;               ///< Path and query, e.g. "/v1.41/containers/json?all=1".
  std::string body;                 ///< Sent when `upload` is empty (POST/PUT only).
  std::string_view content_type = "application/json";
  body_source upload;  ///< Streams the request body instead of `body` (chunked encoding).
  body_sink download;  ///< Receives a 2xx body instead of `http_reply::body`.
  std::chrono::milliseconds total_timeout{0};  ///< Whole exchange; 0 means no limit.
  std::chrono::seconds idle_timeout{0};  ///< Abort after this long with no byte moving; 0 off.
  std::stop_token stop;                  ///< Ends the exchange promptly with `cancelled`.
};

/// What came back: status, the buffered body (error bodies always land here) and the
/// daemon's `Api-Version` header.
struct http_reply {
  int status = 0;
  std::string body;
  std::string api_version;
};

/// Turns a libcurl result code into a Docker error (`daemon_unavailable`, `timeout`, ...).
error error_from_curl(int curl_code, std::string_view detail);

/// A libcurl easy handle bound to one daemon; not thread-safe (one per thread).
class curl_transport {
 public:
  /// Creates the handle; `connect_timeout` bounds every connection attempt.
  static tl::expected<std::unique_ptr<curl_transport>, error> create(
      docker_host host, std::chrono::milliseconds connect_timeout);

  ~curl_transport();
  curl_transport(const curl_transport&) = delete;
  curl_transport& operator=(const curl_transport&) = delete;

  /// Performs one exchange; HTTP error statuses are replies, not errors.
  tl::expected<http_reply, error> perform(const http_request& request);

 private:
  struct handles;
  curl_transport(docker_host host, std::chrono::milliseconds connect_timeout,
                 std::unique_ptr<handles> curl);

  docker_host host_;
  std::string base_url_;
  std::chrono::milliseconds connect_timeout_;
  std::unique_ptr<handles> curl_;
};

}  // namespace berth::docker
