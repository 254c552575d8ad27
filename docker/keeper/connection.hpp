#pragma once
// One client connection on the keeper socket: its decoder, its outgoing bytes and the sessions
// it streams.

#include <cstdint>
#include <string>
#include <vector>

#include "docker/keeper/protocol.hpp"
#include "docker/keeper/unique_fd.hpp"

namespace berth::keeper {

/// A session streamed to a connection from the connection's own read position.
struct attachment {
  std::string session;
  /// Next offset to send.
  std::uint64_t cursor = 0;
  bool exit_sent = false;
};

/// State of one client connection.
struct connection {
  connection(std::uint64_t connection_id, unique_fd socket)
      : id(connection_id), fd(std::move(socket)) {}

  std::uint64_t id;
  unique_fd fd;
  frame_decoder decoder;
  /// Encoded frames; bytes before sent are already written.
  std::string out;
  std::size_t sent = 0;
  std::vector<attachment> attachments;
  /// Session whose input queue is over its limit: this connection's requests wait for it.
  std::string input_blocked_on;
  /// Flush what is queued, then close (after a fatal protocol error).
  bool closing = false;
  /// Gone: the peer closed or a write failed.
  bool dead = false;

  std::size_t unsent() const { return out.size() - sent; }

  attachment* find_attachment(const std::string& session_id) {
    for (auto& a : attachments) {
      if (a.session == session_id) return &a;
    }
    return nullptr;
  }
};

}  // namespace berth::keeper
