#pragma once

// A blocking WebSocket client (RFC 6455) for tests: connects to 127.0.0.1, reads on a
// background thread into a queue, so a test waits for messages with a deadline.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace berth::testing {

/// One complete message as received.
struct ws_message {
  std::string data;
  bool binary = false;
};

/// Why `ws_client::connect` got no WebSocket.
struct ws_refusal {
  int status = 0;     ///< the HTTP status of a declined upgrade; 0 when the transport failed
  std::string body;   ///< the body of a declined upgrade
  std::string error;  ///< what went wrong, when status is 0
};

class ws_client {
 public:
  /// Connects and performs the upgrade with the extra request `headers` (e.g. Cookie,
  /// Origin); a declined upgrade returns its HTTP status and body instead.
  static tl::expected<ws_client, ws_refusal> connect(
      int port, const std::string& target,
      const std::vector<std::pair<std::string, std::string>>& headers = {});

  ~ws_client();
  ws_client(ws_client&&) noexcept;
  ws_client& operator=(ws_client&&) noexcept;

  /// Sends a text message and waits until it is written; false once the connection is gone.
  bool send_text(std::string_view message);
  /// Sends a binary message and waits until it is written; false once the connection is gone.
  bool send_binary(std::string_view message);
  /// The next message within `timeout`; nullopt on timeout or once the connection ended and
  /// every message before the end was read (then `closed()` is true).
  std::optional<ws_message> read(std::chrono::milliseconds timeout);
  /// The connection ended (close frame, error or `close`).
  bool closed() const;
  /// The code of the peer's close frame, 1006 when the connection ended without one (RFC
  /// 6455 section 7.1.5), 0 while open.
  std::uint16_t close_code() const;
  /// The reason in the peer's close frame; empty while open or without one.
  std::string close_reason() const;
  /// Sends a close frame (1000) and waits for the close handshake to end.
  void close();

 private:
  struct state;
  explicit ws_client(std::unique_ptr<state> connected);
  bool send(std::string_view message, bool binary);

  std::unique_ptr<state> state_;
};

}  // namespace berth::testing
