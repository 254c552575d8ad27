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
  /// The request asks for a WebSocket upgrade (RFC 6455 section 4.1).
  bool websocket_upgrade = false;
  /// The client reached Berth over HTTPS: a trusted proxy says so (http/forwarded.hpp).
  bool https = false;
  /// It came from a trusted proxy (`--trusted-proxy`), whose headers are believed: the
  /// forwarding ones and the caller's `traceparent`.
  bool from_trusted_proxy = false;
};

/// One accepted WebSocket connection as handlers see it; Beast stays in the server's files.
/// Every method may be called from any thread.
class websocket_channel {
 public:
  virtual ~websocket_channel() = default;
  /// Queues a message (a binary frame when `binary`, else text) after those already queued;
  /// false once the channel is closing or closed (the message is dropped).
  virtual bool send(std::string message, bool binary) = 0;
  /// Writes what is queued, then a close frame with `code` (RFC 6455 section 7.4) and
  /// `reason`, and ends the connection; later calls do nothing.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  /// Bytes queued by `send` and not yet written to the socket.
  virtual std::size_t queued_bytes() const = 0;
  /// Stops (true) or resumes (false) reading the client's messages: back-pressure towards a
  /// client whose messages cannot be handled yet (its TCP window fills, then its own send
  /// buffer). A message being read is still delivered; a close still completes.
  virtual void hold_reading(bool hold) = 0;
};

/// How a handler accepts a WebSocket upgrade: set on the response (whose status is then
/// ignored) to an upgrade request, after every check that must happen before the upgrade.
/// The callbacks run on the connection's Asio strand, one at a time, and must not block.
struct websocket_handlers {
  /// The handshake completed; the channel stays valid as long as anyone holds it.
  std::function<void(std::shared_ptr<websocket_channel> channel)> on_open;
  /// Each complete message from the client, in order.
  std::function<void(std::string_view message, bool binary)> on_message;
  /// Called exactly once after on_open, when the connection ended for any reason (close
  /// frame, error, heartbeat timeout, server shutdown). Not called if the handshake failed.
  std::function<void()> on_close;
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
  /// When set on the response to a request with `websocket_upgrade`, the server completes the
  /// upgrade and the connection becomes this WebSocket.
  std::shared_ptr<websocket_handlers> websocket;
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
    /// Streamed bodies (exports, recordings) are produced here, not on the workers: a slow
    /// reader holds a stream thread while its download lasts, never a request worker, so
    /// `/healthz` and the API answer whatever downloads run. More streams wait for a thread.
    int stream_threads = 8;
    std::size_t body_limit = 1024 * 1024;  ///< larger request bodies get 413
    std::size_t header_limit = 16 * 1024;  ///< larger request headers get 431
    int idle_timeout_seconds = 60;         ///< a keep-alive connection idle this long closes
    /// A WebSocket message above this closes the connection with 1009 (message too big).
    std::size_t websocket_message_limit = 1024 * 1024;
    /// A WebSocket that received nothing for half this long is pinged; one that stays silent
    /// for the other half is closed, so a half-open socket is noticed (heartbeat every 15 s).
    int websocket_idle_timeout_seconds = 30;
    /// A client that lets more than this many bytes queue up unread is closed (1008): flow
    /// control keeps a well-behaved client far below it.
    std::size_t websocket_queue_limit = 16 * 1024 * 1024;
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
