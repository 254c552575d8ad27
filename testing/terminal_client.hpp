#pragma once

// A terminal client for tests: a WebSocket to a session that keeps the output by offset,
// acks as a browser does (so flow control never stalls it) and records control messages.
// Blocking, one per test thread; a benchmark driving hundreds of sessions from one thread
// uses async_terminal_client.hpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "testing/ws_client.hpp"

namespace berth::testing {

class terminal_client {
 public:
  /// Connects to `/api/workspaces/{wid}/sessions/{sid}/ws` (with `?from=` when given) with a
  /// bearer token; the refusal when the upgrade is declined.
  static tl::expected<terminal_client, ws_refusal> connect(
      int port, const std::string& workspace_id, const std::string& session_id,
      const std::string& token, std::optional<std::int64_t> from = std::nullopt);

  /// Types bytes (a binary frame).
  bool type(std::string_view bytes) { return socket_.send_binary(bytes); }
  /// Sends a JSON control message.
  bool send_json(std::string_view text) { return socket_.send_text(text); }

  /// Reads until the output received since `since` contains `text`; false on timeout.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout, std::size_t since = 0);
  /// Reads until a control message of `type` arrives (looking from index `since` of
  /// controls()); it, or null on timeout.
  boost::json::value wait_for_control(const std::string& type, std::chrono::milliseconds timeout,
                                      std::size_t since = 0);
  /// Reads whatever arrives within `timeout`.
  void drain(std::chrono::milliseconds timeout);

  /// Output bytes received, starting at offset `start()`.
  const std::string& output() const { return output_; }
  std::int64_t start() const { return start_; }
  std::int64_t end() const { return start_ + static_cast<std::int64_t>(output_.size()); }
  /// Output frames that did not continue the previous one (must stay 0).
  int discontinuities() const { return discontinuities_; }
  const std::vector<boost::json::value>& controls() const { return controls_; }
  ws_client& socket() { return socket_; }

 private:
  explicit terminal_client(ws_client socket) : socket_(std::move(socket)) {}
  /// Handles one message; false on timeout or end.
  bool pump(std::chrono::milliseconds timeout);

  ws_client socket_;
  std::string output_;
  std::int64_t start_ = -1;
  std::int64_t acked_ = 0;
  int discontinuities_ = 0;
  std::vector<boost::json::value> controls_;
};

}  // namespace berth::testing
