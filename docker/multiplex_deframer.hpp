#pragma once

// Decoder of Docker's multiplexed exec/attach stream (non-TTY): each frame is an 8-byte header
// [stream type, 0, 0, 0, payload size as big-endian uint32] followed by the payload.
// Engine API v1.41, "Attach to a container" → "Stream format".

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace berth::docker {

/// Which standard stream a piece of multiplexed output belongs to.
enum class stream_kind : std::uint8_t { std_in = 0, std_out = 1, std_err = 2 };

/// Why a byte sequence is not a valid multiplexed stream.
enum class deframe_error {
  bad_stream_type,  ///< Header byte 0 is not 0, 1 or 2 (e.g. the stream is raw TTY output).
  bad_padding,      ///< Header bytes 1..3 are not zero.
};

/// A run of payload bytes from one frame; a frame may arrive as several pieces.
struct payload_piece {
  stream_kind stream;
  std::string_view bytes;  ///< Points into the input given to `feed`.
};

/// What one `feed` found: payload pieces in order, then an error if the input went bad.
struct deframe_result {
  std::vector<payload_piece> pieces;
  std::optional<deframe_error> failure;
};

/// Incremental deframer: feed bytes as they arrive in any split; it never buffers payloads,
/// so a hostile frame size costs no memory.
class multiplex_deframer {
 public:
  /// Decodes `input`; pieces refer into `input`. After an error every later feed fails too.
  deframe_result feed(std::string_view input);

  /// True between frames, i.e. a stream that ends now ended cleanly.
  bool at_frame_boundary() const { return header_size_ == 0 && remaining_ == 0; }

 private:
  static constexpr std::size_t header_length = 8;
  unsigned char header_[header_length] = {};
  std::size_t header_size_ = 0;  // header bytes gathered so far
  std::uint32_t remaining_ = 0;  // payload bytes of the current frame still to come
  stream_kind stream_ = stream_kind::std_out;
  std::optional<deframe_error> failure_;
};

/// Readable name of a deframe error.
std::string_view to_string(deframe_error failure);

}  // namespace berth::docker
