#pragma once
// The keeper wire protocol: frame layout, frame types, error codes and the incremental frame
// decoder. Specified in docs/keeper-protocol.md; keep the two in step.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace berth::keeper {

/// Protocol version announced in the hello frame; bumped on any incompatible change.
inline constexpr std::uint16_t protocol_version = 1;

/// Eight bytes that open every hello payload, so a reader can tell keeper frames from text.
inline constexpr std::string_view hello_magic = "BERTHKPR";

/// Bytes before the payload: a u32 big-endian payload length, then the type byte.
inline constexpr std::size_t frame_header_size = 5;

/// Largest payload either side sends or accepts (1 MiB): bounds every buffer per connection.
inline constexpr std::uint32_t max_payload_size = 1024 * 1024;

/// Longest session id; ids are 1 to 64 characters of [A-Za-z0-9_-].
inline constexpr std::size_t max_session_id_size = 64;

/// Every frame type; requests flow client to keeper, the rest keeper to client.
enum class frame_type : std::uint8_t {
  hello = 0x01,
  open = 0x10,
  attach = 0x11,
  input = 0x12,
  resize = 0x13,
  ack = 0x14,
  list = 0x15,
  close = 0x16,
  detach = 0x17,
  opened = 0x20,
  attached = 0x21,
  gap = 0x22,
  output = 0x23,
  exited = 0x24,
  session_list = 0x25,
  closed = 0x26,
  detached = 0x27,
  error = 0x2f,
};

/// True for the values that name a frame_type.
bool is_known_frame_type(std::uint8_t value);

/// Codes carried by error frames; the first three also close the connection.
enum class error_code : std::uint16_t {
  malformed_frame = 1,
  frame_too_large = 2,
  unknown_frame_type = 3,
  unknown_session = 4,
  session_exists = 5,
  invalid_argument = 6,
  spawn_failed = 7,
  offset_out_of_range = 8,
  session_not_running = 9,
  limit_reached = 10,
  missing_hello = 11,
  io_error = 12,
};

/// Stable snake_case name of a code, for logs and messages.
std::string_view to_string(error_code code);

/// True when the error leaves the byte stream unusable, so the connection must close.
bool is_fatal(error_code code);

/// One complete frame as it travelled: its type byte and raw payload.
struct frame {
  std::uint8_t type = 0;
  std::string payload;
};

/// Why a byte stream or a payload could not be decoded.
struct decode_error {
  error_code code = error_code::malformed_frame;
  std::string message;
};

/// The decoder holds only part of a frame; feed it more bytes.
struct need_more {};

/// Result of asking the decoder for its next frame.
using decode_step = std::variant<need_more, frame, decode_error>;

/// Limits and mode of a frame_decoder.
struct decoder_options {
  /// Frames announcing a longer payload are refused with frame_too_large.
  std::uint32_t max_payload = max_payload_size;
  /// Skip text (such as Docker's "Error: Exec command ... already running") up to the hello
  /// frame; the client side of a docker exec bridge sets this.
  bool expect_hello = false;
  /// How much text may precede the hello before the stream is refused with missing_hello.
  std::size_t max_preamble = 4096;
};

/// Incremental decoder: feed bytes as they arrive, take complete frames out one at a time.
/// After the first error it stays failed: a byte stream cannot be resynchronised.
class frame_decoder {
 public:
  explicit frame_decoder(decoder_options options = {});

  /// Appends received bytes; frames are cut lazily by next().
  void feed(std::string_view bytes);

  /// Next complete frame, need_more, or the (sticky) error.
  decode_step next();

  /// Text skipped before the hello frame in expect_hello mode, for diagnostics.
  const std::string& preamble() const { return preamble_; }

  /// Bytes held that are not yet part of a returned frame.
  std::size_t buffered() const { return buffer_.size() - read_position_; }

 private:
  decode_step fail(error_code code, std::string message);
  bool skip_preamble();
  void compact();

  decoder_options options_;
  std::string buffer_;
  std::size_t read_position_ = 0;
  bool hello_seen_ = false;
  std::string preamble_;
  std::variant<std::monostate, decode_error> failure_;
};

/// Appends a frame of the given type and payload to out. The caller keeps payloads within
/// max_payload_size; the keeper's own frames are built to fit.
void append_frame(std::string& out, frame_type type, std::string_view payload);

/// True when the id is 1 to 64 characters of [A-Za-z0-9_-].
bool is_valid_session_id(std::string_view id);

}  // namespace berth::keeper
