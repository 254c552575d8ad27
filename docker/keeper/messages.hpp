#pragma once
// Typed keeper protocol messages: one struct per frame type, encoded into and parsed from the
// frames of protocol.hpp. Field order and widths follow docs/keeper-protocol.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "docker/keeper/protocol.hpp"

namespace berth::keeper {

/// How a session's process ended: an exit code, or the signal that killed it.
struct exit_status {
  bool signaled = false;
  std::uint8_t value = 0;
  friend bool operator==(const exit_status&, const exit_status&) = default;
};

/// Life stage of a session as reported by list.
enum class session_state : std::uint8_t { running = 0, exited = 1, closing = 2 };

/// Keeper → client, first frame of every connection.
struct hello {
  std::uint16_t version = protocol_version;
  std::uint32_t max_payload = max_payload_size;
  friend bool operator==(const hello&, const hello&) = default;
};

/// Start a process in a new PTY; empty cwd means /workspace, empty argv a login shell.
struct open_request {
  std::string session;
  std::uint16_t cols = 80;
  std::uint16_t rows = 24;
  std::string cwd;
  std::vector<std::string> env;
  std::vector<std::string> argv;
  friend bool operator==(const open_request&, const open_request&) = default;
};

/// Stream a session's output to this connection from an absolute offset.
struct attach_request {
  std::string session;
  std::uint64_t from = 0;
  friend bool operator==(const attach_request&, const attach_request&) = default;
};

/// Bytes to write to the session's terminal, as if typed.
struct input_request {
  std::string session;
  std::string data;
  friend bool operator==(const input_request&, const input_request&) = default;
};

/// New terminal size; the shell gets SIGWINCH.
struct resize_request {
  std::string session;
  std::uint16_t cols = 0;
  std::uint16_t rows = 0;
  friend bool operator==(const resize_request&, const resize_request&) = default;
};

/// Every byte before offset is stored by the client: the journal may drop it.
struct ack_request {
  std::string session;
  std::uint64_t offset = 0;
  friend bool operator==(const ack_request&, const ack_request&) = default;
};

/// Ask for every session the keeper holds.
struct list_request {
  friend bool operator==(const list_request&, const list_request&) = default;
};

/// End a session: SIGHUP, then SIGKILL after the keeper's timeout, then forget it.
struct close_request {
  std::string session;
  friend bool operator==(const close_request&, const close_request&) = default;
};

/// Stop streaming a session to this connection.
struct detach_request {
  std::string session;
  friend bool operator==(const detach_request&, const detach_request&) = default;
};

/// The session's process started.
struct opened_reply {
  std::string session;
  std::uint32_t pid = 0;
  friend bool operator==(const opened_reply&, const opened_reply&) = default;
};

/// Attach accepted; output frames follow from offset, which is the requested one.
struct attached_reply {
  std::string session;
  std::uint64_t offset = 0;
  friend bool operator==(const attached_reply&, const attached_reply&) = default;
};

/// Bytes from requested up to oldest are gone; output continues from oldest.
struct gap_reply {
  std::string session;
  std::uint64_t requested = 0;
  std::uint64_t oldest = 0;
  friend bool operator==(const gap_reply&, const gap_reply&) = default;
};

/// Terminal output; data starts at absolute byte offset.
struct output_event {
  std::string session;
  std::uint64_t offset = 0;
  std::string data;
  friend bool operator==(const output_event&, const output_event&) = default;
};

/// The process ended; sent after the last output byte, end being the total bytes produced.
struct exited_event {
  std::string session;
  exit_status status;
  std::uint64_t end = 0;
  friend bool operator==(const exited_event&, const exited_event&) = default;
};

/// One row of a session list.
struct session_info {
  std::string session;
  std::uint16_t cols = 0;
  std::uint16_t rows = 0;
  std::uint64_t oldest = 0;
  std::uint64_t end = 0;
  std::uint64_t acked = 0;
  session_state state = session_state::running;
  exit_status status;
  friend bool operator==(const session_info&, const session_info&) = default;
};

/// Answer to list.
struct session_list_reply {
  std::vector<session_info> sessions;
  friend bool operator==(const session_list_reply&, const session_list_reply&) = default;
};

/// The session is gone (after close); sent to the closer and to every attacher.
struct closed_reply {
  std::string session;
  friend bool operator==(const closed_reply&, const closed_reply&) = default;
};

/// Answer to detach: no output of that session follows on this connection.
struct detached_reply {
  std::string session;
  friend bool operator==(const detached_reply&, const detached_reply&) = default;
};

/// A request failed; session is empty when the error is about the connection.
struct error_reply {
  error_code code = error_code::malformed_frame;
  std::string session;
  std::string message;
  friend bool operator==(const error_reply&, const error_reply&) = default;
};

/// Any message of the protocol.
using message = std::variant<hello, open_request, attach_request, input_request, resize_request,
                             ack_request, list_request, close_request, detach_request, opened_reply,
                             attached_reply, gap_reply, output_event, exited_event,
                             session_list_reply, closed_reply, detached_reply, error_reply>;

/// A parsed message, or why the frame does not hold one.
using parse_result = std::variant<decode_error, message>;

/// Reads the message a frame carries; trailing bytes are malformed (hello excepted: later
/// versions may extend it).
parse_result parse_message(const frame& input);

/// Appends the frame for a message to out.
void append_message(std::string& out, const message& value);

/// The frame for a message.
std::string encode_message(const message& value);

/// Appends an output frame without building an output_event, for the keeper's hot path.
void append_output(std::string& out, std::string_view session, std::uint64_t offset,
                   std::string_view data);

/// Payload bytes an output frame spends on everything but its data.
std::size_t output_overhead(std::string_view session);

}  // namespace berth::keeper
