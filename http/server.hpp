#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace berth::http {

/// An HTTP request as handlers see it (Beast stays inside server.cpp).
struct request {
  std::string method;
  std::string target;  ///< path and query, as sent
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lowercased
  std::string remote_address;

  /// The value of header `name` (lowercase), or empty.
  std::string header(const std::string& name) const;
  /// The path part of the target (before `?`).
  std::string path() const;
};

/// A complete response.
struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// When set, the body is streamed instead of `body` (chunked transfer encoding): it runs on
  /// the worker thread and calls `write` per chunk; `write` blocks until the chunk is on its
  /// way and returns false once the client is gone (then stop). Never buffers the whole body.
  std::function<void(const std::function<bool(std::string_view)>& write)> stream;
};

/// Handles one request on a worker thread (it may block) and calls `respond` exactly once.
using handler = std::function<void(request, std::function<void(response)> respond)>;

/// The HTTP server: Beast on its own Asio thread, handlers on a worker pool.
class server {
 public:
  struct options {
    std::string listen = "127.0.0.1:8080";  ///< host:port; port 0 picks a free one
    int io_threads = 1;                     ///< sized for a 2-core machine
    int worker_threads = 4;                 ///< handlers may block on the database
    std::size_t body_limit = 1024 * 1024;   ///< larger request bodies get 413
    std::size_t header_limit = 16 * 1024;   ///< larger request headers get 431
    int idle_timeout_seconds = 60;          ///< a keep-alive connection idle this long closes
  };

  server(options opts, handler on_request);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting; returns the bound port or why binding failed.
  tl::expected<std::uint16_t, std::string> start();
  /// Blocks until SIGTERM or SIGINT (or stop()), then shuts down: stops accepting, closes
  /// connections and waits for running handlers.
  void run_until_signalled();
  /// Asks a running server to shut down (thread-safe).
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// `{"error":{"code":C,"message":M}}` with the given status.
response error_response(int status, const std::string& code, const std::string& message);

}  // namespace berth::http
