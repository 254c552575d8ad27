#pragma once

// A terminal WebSocket client for load (`bench sessions`; docs/protocol.md). Asynchronous on
// the caller's io_context, so one thread drives hundreds of them. It acks output as the
// protocol asks, but coalesces acks so that a fast stream stays under the server's message
// rate. Tests that check one session's bytes and control messages use the blocking
// terminal_client.hpp instead.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace berth::testing {

/// What a terminal client reports; every callback runs on the io_context.
struct async_terminal_handlers {
  /// The server sent `attached`: output frames from `from` follow.
  std::function<void(std::int64_t from)> on_attached;
  /// The session's state changed (`running`, or `reconnecting` while the server re-attaches
  /// to the shell); also sent after every attach.
  std::function<void(const std::string& state)> on_status;
  /// One output frame, contiguous with the previous one.
  std::function<void(std::int64_t offset, std::string_view bytes)> on_output;
  /// The connection ended; `why` says how (an `error` frame's code, an HTTP status of a
  /// declined upgrade, a socket error), empty after our own close().
  std::function<void(const std::string& why)> on_closed;
};

class async_terminal_client : public std::enable_shared_from_this<async_terminal_client> {
 public:
  /// Connects to `target` (…/sessions/{sid}/ws?from=N) on 127.0.0.1:`port` with a bearer
  /// token; results arrive through `handlers`.
  static std::shared_ptr<async_terminal_client> start(boost::asio::io_context& io, int port,
                                                      std::string target, std::string token,
                                                      async_terminal_handlers handlers);

  /// Queues raw input (one binary frame). Call on the io_context.
  void send_input(std::string bytes);
  /// Queues a close frame (1000). Call on the io_context.
  void close();
  /// Whether the connection is over (on_closed was called).
  bool ended() const { return ended_; }
  /// End offset of the output received so far.
  std::int64_t received_end() const { return received_end_; }

  async_terminal_client(boost::asio::io_context& io, int port, std::string target,
                        std::string token, async_terminal_handlers handlers);

 private:
  void on_connected(boost::beast::error_code ec);
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec);
  void on_text(std::string_view text);
  void on_binary(std::string_view frame);
  void maybe_ack();
  void send_ack();
  void queue(std::string message, bool binary);
  void do_write();
  void end(const std::string& why);

  int port_;
  std::string target_;
  std::string token_;
  async_terminal_handlers handlers_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::http::response<boost::beast::http::string_body> refusal_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, bool>> outbox_;  ///< message, binary
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;     ///< close() was called
  bool close_sent_ = false;  ///< the close frame is on its way
  bool ended_ = false;       ///< on_closed was called; nothing more happens
  std::string error_code_;   ///< of the last `error` frame, reported when the server closes
  std::int64_t received_end_ = 0;
  std::int64_t acked_ = 0;
  boost::asio::steady_timer ack_timer_;
  bool ack_timer_armed_ = false;
  std::chrono::steady_clock::time_point last_ack_at_{};
};

}  // namespace berth::testing
