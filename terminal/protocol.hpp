#pragma once

// The browser terminal's WebSocket protocol (docs/protocol.md), as pure functions: frames in
// and out, typed errors for every bad frame, the resume decision. No sockets here: sessions
// (actors/) hand typed messages to a terminal::client, and http/ encodes them with these
// functions and picks WebSocket close codes.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <tl/expected.hpp>

namespace berth::terminal {

/// Largest client text frame (a JSON control message); real ones are under 64 bytes.
inline constexpr std::size_t max_client_text_size = 4096;
/// Largest client binary frame (terminal input): a generous paste, cut by xterm.js anyway.
inline constexpr std::size_t max_client_input_size = 64 * 1024;
/// Size of the big-endian start offset that heads every output frame.
inline constexpr std::size_t output_header_size = 8;
/// Terminal sizes a client may ask for; beyond them libvterm and the PTY waste memory.
inline constexpr int min_cols = 1;
inline constexpr int max_cols = 1000;
inline constexpr int min_rows = 1;
inline constexpr int max_rows = 500;

/// Why a frame or a request was refused; sent to the client as an `error` message.
enum class protocol_error_code {
  malformed,         ///< not JSON, not valid UTF-8, or not a JSON object
  empty_frame,       ///< a text or binary frame with no bytes
  frame_too_large,   ///< above max_client_text_size or max_client_input_size (closes)
  unknown_type,      ///< `type` names no message of this direction
  unknown_field,     ///< a key the message type does not have
  missing_field,     ///< a required key (`type` included) is absent
  wrong_type,        ///< a field of another JSON type, e.g. a float for an integer
  out_of_range,      ///< an integer outside its bounds, e.g. 2000 columns or a negative offset
  invalid_ack,       ///< an ack behind an earlier ack or beyond the bytes sent (closes)
  rate_limited,      ///< more messages per second than allowed (closes)
  offset_ahead,      ///< resume requested from beyond the end of the output (closes)
  unknown_session,   ///< the session does not exist or cannot be loaded (closes)
  too_many_clients,  ///< the session has as many clients attached as allowed (closes)
};

/// A refused frame or request: a stable code and a message for humans.
struct protocol_error {
  protocol_error_code code = protocol_error_code::malformed;
  std::string message;
};

/// Stable snake_case name of a code, the `code` of `error` messages.
std::string_view to_string(protocol_error_code code);
/// Writes the name of a code, so test failures read "unknown_type".
std::ostream& operator<<(std::ostream& out, protocol_error_code code);
/// Whether the connection ends after an error with `code` (the transport picks the close
/// code, http/terminal_socket.cpp); otherwise it stays open after the `error` message.
bool ends_stream(protocol_error_code code);

template <class T>
using protocol_result = tl::expected<T, protocol_error>;

// --- Output: server to client, binary frames -----------------------------------------------

/// One output frame: `bytes` of terminal output starting at absolute `offset`.
struct output_frame {
  std::int64_t offset = 0;
  std::string_view bytes;  ///< points into the decoded frame
};

/// The binary frame for `bytes` starting at `offset` (>= 0): 8-byte big-endian offset, bytes.
std::string encode_output(std::int64_t offset, std::string_view bytes);
/// Splits an output frame; malformed when shorter than the header, out_of_range for an
/// offset above INT64_MAX. The bytes may be empty.
protocol_result<output_frame> decode_output(std::string_view frame);

// --- Client to server: binary input and JSON text frames -----------------------------------

/// `{"type":"resize","cols":C,"rows":R}`: the client's terminal size.
struct resize_message {
  int cols = 0;
  int rows = 0;
  bool operator==(const resize_message&) const = default;
};
/// `{"type":"ack","offset":N}`: the client rendered every byte before offset N.
struct ack_message {
  std::int64_t offset = 0;
  bool operator==(const ack_message&) const = default;
};
/// `{"type":"ping"}`: heartbeat; the server answers `pong`.
struct ping_message {
  bool operator==(const ping_message&) const = default;
};
/// A client text frame.
using client_message = std::variant<resize_message, ack_message, ping_message>;

/// Parses a client text frame strictly: any unknown field, wrong type or value out of range
/// is an error, and no input makes it throw.
protocol_result<client_message> parse_client_text(std::string_view text);
/// Checks a client binary frame (raw terminal input): not empty, not above the limit.
protocol_result<void> check_client_input(std::string_view bytes);
/// The JSON text of a client message (for clients and tests).
std::string encode_client_message(const client_message& message);

// --- Server to client: JSON text frames ----------------------------------------------------

/// `attached`: output frames from `from` follow; `to` was the end of output at attach time;
/// with `snapshot` a `snapshot` message comes first. `cols`/`rows` are the session's size.
struct attached_message {
  std::int64_t from = 0;
  std::int64_t to = 0;
  bool snapshot = false;
  int cols = 0;
  int rows = 0;
  bool operator==(const attached_message&) const = default;
};
/// `snapshot`: VT text that redraws the screen as it was at `attached.from`.
struct snapshot_message {
  std::string data;
  bool operator==(const snapshot_message&) const = default;
};
/// `exit`: the shell ended; `status` is its exit code, or the signal number when `signaled`.
struct exit_message {
  int status = 0;
  bool signaled = false;
  bool operator==(const exit_message&) const = default;
};
/// `error`: a frame or request was refused; `code` is a protocol_error_code name.
struct error_message {
  std::string code;
  std::string message;
  bool operator==(const error_message&) const = default;
};
/// `pong`: the answer to `ping`.
struct pong_message {
  bool operator==(const pong_message&) const = default;
};
/// `status`: the session changed: `state` ("running" or "reconnecting" while the server
/// re-attaches to the shell), attached `clients`, and the terminal size.
struct status_message {
  std::string state;
  int clients = 0;
  int cols = 0;
  int rows = 0;
  bool operator==(const status_message&) const = default;
};
/// A server text frame.
using server_message = std::variant<attached_message, snapshot_message, exit_message, error_message,
                                    pong_message, status_message>;

/// The JSON text of a server message.
std::string encode_server_message(const server_message& message);
/// The `error` message for `error`.
std::string encode_error(const protocol_error& error);
/// Parses a server text frame (for clients and tests). Unlike the server, it ignores unknown
/// fields, so newer servers may add some; unknown types are still errors.
protocol_result<server_message> parse_server_text(std::string_view text);

// --- Resume ------------------------------------------------------------------------------

/// Send the output held from `from` exactly, then live output.
struct exact_replay {
  std::int64_t from = 0;
  bool operator==(const exact_replay&) const = default;
};
/// Send a screen snapshot taken at `from` (the end of output), then live output.
struct snapshot_then_live {
  std::int64_t from = 0;
  bool operator==(const snapshot_then_live&) const = default;
};
/// How to serve a client that attaches.
using resume_plan = std::variant<exact_replay, snapshot_then_live>;

/// The `from` query parameter: decimal digits only, 0..INT64_MAX; out_of_range or malformed
/// otherwise (answered with 400 before the upgrade).
protocol_result<std::int64_t> parse_resume_offset(std::string_view text);
/// Decides how to serve a client asking for output from `requested` (nothing for a client
/// with no screen yet) when bytes [oldest_held, end) are still held: exact bytes when held,
/// else a snapshot; offset_ahead when `requested` > `end`.
protocol_result<resume_plan> plan_resume(std::optional<std::int64_t> requested,
                                         std::int64_t oldest_held, std::int64_t end);

}  // namespace berth::terminal
