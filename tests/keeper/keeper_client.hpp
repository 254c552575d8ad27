#pragma once
// A test's side of the keeper protocol, spoken over the socket directly or through the pipes of
// a `keeper attach` child, with helpers that collect a session's output stream.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "docker/keeper/messages.hpp"
#include "docker/keeper/unique_fd.hpp"
#include "tests/keeper/keeper_process.hpp"

namespace berth::keeper::testing {

/// An open request running `argv` in session `id`, with every other field at its default.
inline open_request command(std::string id, std::vector<std::string> argv) {
  open_request request;
  request.session = std::move(id);
  request.argv = std::move(argv);
  return request;
}

/// Reads and writes protocol frames; expects the keeper's hello first, as Berth does.
class keeper_client {
 public:
  /// Talks over one connected socket.
  static keeper_client connect(const std::string& socket_path);
  /// Talks through a bridge: writes to its stdin, reads its stdout (both borrowed).
  keeper_client(int read_fd, int write_fd);

  void send(const message& m);
  void send_raw(std::string_view bytes);
  /// The next message, or nothing at the deadline or when the stream ended.
  std::optional<message> next(deadline until);
  /// Skips output and exited frames until a message of type T arrives.
  template <class T>
  std::optional<T> next_of(deadline until) {
    while (auto m = next(until)) {
      if (auto* wanted = std::get_if<T>(&*m)) return std::move(*wanted);
    }
    return std::nullopt;
  }
  /// True once the peer closed the stream (or a protocol error was decoded).
  bool ended() const { return ended_; }
  /// The first decode error, if the byte stream broke.
  const std::optional<decode_error>& stream_error() const { return stream_error_; }

 private:
  unique_fd owned_;
  int read_fd_;
  int write_fd_;
  frame_decoder decoder_{{.expect_hello = true}};
  bool ended_ = false;
  std::optional<decode_error> stream_error_;
};

/// What a test has seen of one session's output.
struct session_stream {
  std::string session;
  /// Offset of bytes[0].
  std::uint64_t start = 0;
  std::string bytes;
  std::optional<exit_status> exit;
  std::optional<gap_reply> gap;
  std::optional<error_reply> error;
  /// Set when output arrived at an offset other than the next expected one.
  bool discontinuous = false;

  std::uint64_t next_offset() const { return start + bytes.size(); }
};

/// Reads frames into stream until done(stream) holds; acks every output frame when ack is set.
/// False at the deadline or when the stream ended first.
bool read_until(keeper_client& client, session_stream& stream,
                const std::function<bool(const session_stream&)>& done, deadline until,
                bool ack = false);

/// Reads until the session's exited frame.
bool read_to_exit(keeper_client& client, session_stream& stream, bool ack = false);

/// Opens a session and returns the reply (opened or error).
message open_session(keeper_client& client, open_request request);

/// Sends attach and reads the attached (or gap, or error) reply into a new stream.
session_stream attach(keeper_client& client, const std::string& session, std::uint64_t from);

/// True when a fresh connection to the keeper gets an answer to list.
bool keeper_answers(const std::string& socket_path);

/// The exact bytes `seq 1 count` prints on a terminal (which turns \n into \r\n).
std::string seq_on_terminal(int count);

}  // namespace berth::keeper::testing
