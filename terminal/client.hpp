#pragma once

// A terminal client as a session sees it: typed messages out, nothing of the wire. The
// session (actors/) decides what a client gets; the transport (http/terminal_socket) encodes
// it as WebSocket frames and picks the close codes (docs/protocol.md).

#include <cstdint>
#include <string>
#include <string_view>

#include "terminal/protocol.hpp"

namespace berth::terminal {

/// Why a session ends a client's connection when no protocol error is the cause.
enum class farewell {
  session_ended,    ///< the shell ended and the client has every byte: do not reconnect
  server_stopping,  ///< the session's actor stopped (restart, shutdown): reconnect
};

/// One connected client. Thread-safe; every call after the client went away is a no-op.
class client {
 public:
  virtual ~client() = default;
  /// Queues `bytes` of output starting at absolute `offset`; false once the client is gone.
  virtual bool send_output(std::int64_t offset, std::string_view bytes) = 0;
  /// Queues a control message; false once the client is gone.
  virtual bool send(const server_message& message) = 0;
  /// Sends `error` and closes after it: a session refuses only what ends the stream.
  virtual void refuse(const protocol_error& error) = 0;
  /// Closes after what is queued; `detail` is the close reason (e.g. how the session ended).
  virtual void end(farewell why, std::string detail) = 0;
  /// Stops (true) or resumes (false) taking the client's input: back-pressure while the
  /// shell cannot take more. The client's own buffers fill; nothing it sent is dropped.
  virtual void hold_input(bool hold) = 0;
};

}  // namespace berth::terminal
