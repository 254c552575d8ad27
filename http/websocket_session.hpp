#pragma once

// Private to server.cpp: the one place besides it that sees Beast (RFC 6455 WebSockets).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "http/server.hpp"
#include "telemetry/berth_metrics.hpp"

namespace berth::http {

/// One upgraded connection: completes the handshake, reads messages into the handlers and
/// writes queued messages one at a time, all on the socket's strand. Pending operations keep
/// it alive; the channel handed to the handlers only refers to it weakly.
class websocket_session : public std::enable_shared_from_this<websocket_session> {
 public:
  using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

  /// `socket` must use a strand as its executor (the server's connections do).
  websocket_session(boost::asio::ip::tcp::socket socket, upgrade_request request,
                    const server::options& opts, std::shared_ptr<websocket_handlers> handlers);

  /// Answers the upgrade with 101 (or Beast's own 400 for a malformed one), then runs.
  void start();
  /// Server shutdown, from any thread: close with 1001 (going away), and cut the connection
  /// if the client does not complete the close within `shutdown_grace`.
  void shut_down();

  bool send(std::string message, bool binary);
  void close(std::uint16_t code, std::string reason);
  std::size_t queued_bytes() const;
  /// See websocket_channel::hold_reading; from any thread.
  void hold_reading(bool hold);

 private:
  /// How long shutdown waits for queued messages and the client's close frame: long enough
  /// for a live client on a slow link, short enough that a stopping server is not held up.
  static constexpr std::chrono::seconds shutdown_grace{2};

  struct outgoing {
    std::string data;
    bool binary = false;
  };

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void on_close_written(boost::beast::error_code ec);
  void finish(boost::beast::error_code ec);
  void begin_shutdown();
  /// Drops queued messages except one being written (its bytes must outlive the write).
  void drop_unsent_locked();
  /// Runs a handler callback; one that throws is logged and ends the connection with 1011.
  template <typename Callback>
  void run_callback(const char* what, Callback&& callback);

  const boost::asio::any_io_executor executor_;  ///< the socket's strand, copied for any thread
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  upgrade_request request_;                       ///< kept until the handshake completes
  std::shared_ptr<websocket_handlers> handlers_;  ///< released once on_close ran
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer grace_timer_;
  const std::size_t message_limit_;
  const int idle_timeout_seconds_;
  const std::size_t queue_limit_;

  // Strand only.
  bool open_ = false;          ///< the handshake completed and on_open ran
  bool finished_ = false;      ///< the read loop ended and on_close ran
  bool writing_ = false;       ///< a message or the close frame is being written
  bool close_sent_ = false;    ///< the close frame was written or is no longer needed
  bool read_pending_ = false;  ///< an async_read is in flight
  bool reads_held_ = false;    ///< hold_reading(true): no new read until released or closing
  std::shared_ptr<websocket_session> held_self_;  ///< keeps a held session alive
  telemetry::gauge_presence counted_{
      telemetry::berth_metrics().websocket_connections};  ///< open_ && !finished_

  mutable std::mutex mutex_;  ///< guards the rest: `send` and `close` come from any thread
  std::deque<outgoing> outbox_;
  std::size_t queued_bytes_ = 0;
  bool front_in_flight_ = false;  ///< outbox_.front() is being written
  bool closing_ = false;          ///< no more sends; the close frame follows the queue
  boost::beast::websocket::close_reason close_reason_;
};

/// The server's open WebSocket sessions, so that shutdown reaches them: upgraded connections
/// no longer appear in the server's connection list.
class websocket_registry {
 public:
  /// Tracks `session`; shuts it down at once when the server already is shutting down.
  void add(const std::shared_ptr<websocket_session>& session);
  /// Shuts down every tracked session and every one added later.
  void shut_down();

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<websocket_session>> sessions_;
  bool shutting_down_ = false;
};

}  // namespace berth::http
