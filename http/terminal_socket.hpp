#pragma once

// One terminal WebSocket (docs/protocol.md): the session's terminal::client, which encodes what
// the session hands it as frames and picks the close codes, and the parser of what the
// browser sends, which it passes to the session service. Include only from http/*.cpp.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/accounts.hpp"
#include "actors/session_service.hpp"
#include "http/credential_watch.hpp"
#include "http/server.hpp"
#include "terminal/client.hpp"
#include "terminal/flow_control.hpp"

namespace berth::http {

/// The WebSocket close code (RFC 6455 section 7.4) after an error with `code`, or nothing when
/// the connection stays open after the `error` message.
std::optional<std::uint16_t> close_code_after(terminal::protocol_error_code code);

/// A terminal WebSocket. While open it is watched (when a watch is given), which closes it
/// once the credentials it was opened with are revoked.
class terminal_socket : public terminal::client,
                        public std::enable_shared_from_this<terminal_socket> {
 public:
  terminal_socket(actors::session_service& sessions, std::string session_id,
                  actors::session_caller caller, std::optional<std::int64_t> from,
                  credential_watch* watch, accounts::principal who, std::string credential,
                  std::shared_ptr<void> ticket);

  bool send_output(std::int64_t offset, std::string_view bytes) override;
  bool send(const terminal::server_message& message) override;
  void refuse(const terminal::protocol_error& error) override;
  void end(terminal::farewell why, std::string detail) override;
  void hold_input(bool hold) override;

  /// The handlers the upgraded connection calls; they keep this socket alive while open.
  std::shared_ptr<websocket_handlers> handlers();

 private:
  std::shared_ptr<websocket_channel> channel_of();
  bool send_frame(std::string frame, bool binary);
  void close(std::uint16_t code, std::string reason);
  /// Hands the credentials to the watch (on open, which runs once): the socket keeps no copy.
  void start_watch();
  void on_message(std::string_view message, bool binary);
  /// Sends `error`; closes only when the stream cannot go on after it.
  void report(const terminal::protocol_error& error);
  void refuse_rate();

  actors::session_service& sessions_;
  std::string session_id_;
  std::string client_id_;
  actors::session_caller caller_;
  std::optional<std::int64_t> from_;
  terminal::message_rate_limiter limiter_;      ///< used on the connection's strand only
  terminal::message_rate_limiter ack_limiter_;  ///< acks only, likewise
  credential_watch* watch_;                     ///< null: not watched
  accounts::principal who_;                     ///< until handed to the watch
  std::string credential_;                      ///< likewise
  std::mutex mutex_;
  std::shared_ptr<websocket_channel> channel_;
  std::optional<std::uint64_t> watch_id_;  ///< while watched
  std::shared_ptr<void> ticket_;           ///< counts against the user's terminals while open
};

}  // namespace berth::http
