#pragma once
// Every bound the keeper enforces, in one place.

#include <chrono>
#include <cstddef>

namespace berth::keeper::limits {

/// Concurrent client connections; Berth needs one or two per session.
inline constexpr std::size_t max_connections = 256;
/// Sessions held at once, exited ones included until closed.
inline constexpr std::size_t max_sessions = 64;
/// Encoded bytes queued for a connection before journal streaming waits for the socket; the
/// journal, not this queue, is where a slow reader's backlog lives.
inline constexpr std::size_t connection_high_water = 256 * 1024;
/// A connection that leaves this many reply bytes unread is not served further requests.
inline constexpr std::size_t connection_reply_limit = 4 * 1024 * 1024;
/// Data bytes per output frame.
inline constexpr std::size_t output_chunk = 64 * 1024;
/// Input waiting for the terminal before the sending connection's requests wait.
inline constexpr std::size_t input_queue = 256 * 1024;
/// One read from a socket, a PTY or stdin.
inline constexpr std::size_t read_chunk = 64 * 1024;
/// After a session's process ends, how long output buffered in the terminal is still read when
/// a background process keeps the terminal open.
inline constexpr std::chrono::milliseconds drain_grace{500};

}  // namespace berth::keeper::limits
