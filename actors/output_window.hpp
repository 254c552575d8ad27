#pragma once
// A session's output as received from the keeper, and the part of it held in memory for
// clients. Offsets are absolute, counted from the session's first byte (docs/keeper-protocol.md
// "Offsets, attach and gaps"). Pure: no I/O, no actors.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "docker/keeper/protocol.hpp"

namespace berth::actors {

/// Output held in memory at most, whatever clients still need; older bytes come from the event
/// log. Uncommitted bytes are never dropped, but the keeper stops sending once its journal is
/// full of unacknowledged ones, so they stay bounded too.
inline constexpr std::int64_t max_memory_bytes = 4 * 1024 * 1024;

/// Furthest ahead of the bytes received that an output frame may start. The keeper drops only
/// acknowledged bytes and we acknowledge only committed ones, which we have received; so what it
/// holds, and may send, ends at most one journal beyond our end. The largest journal it accepts
/// is 1 GiB (`max_journal_bytes` in docker/keeper/options.cpp).
inline constexpr std::int64_t max_gap = std::int64_t{1} << 30;

/// Largest output frame accepted: the keeper codec's payload limit (its frames carry 64 KiB).
inline constexpr std::size_t max_output_frame_bytes = keeper::max_payload_size;

/// Why an output frame was refused; each one means the keeper is broken or hostile.
enum class output_refusal { frame_too_large, offset_overflow, too_far_ahead };

/// A short English description of a refusal, for logs.
std::string_view to_string(output_refusal reason);

/// What accepting an output frame did.
namespace output_verdict {
/// New bytes were appended at `offset`; `bytes` views the frame, any duplicate prefix cut off.
struct appended {
  std::int64_t offset = 0;
  std::string_view bytes;
};
/// Every byte of the frame had been received already; nothing changed.
struct duplicate {};
/// Bytes [from, to) are gone from the keeper: memory restarts at `to`, where `bytes` went.
struct gap {
  std::int64_t from = 0, to = 0;
  std::string_view bytes;
};
/// The frame was not accepted and nothing changed.
struct refused {
  output_refusal reason;
};
}  // namespace output_verdict

/// The outcome of `output_window::accept`.
using output_verdict_variant = std::variant<output_verdict::appended, output_verdict::duplicate,
                                            output_verdict::gap, output_verdict::refused>;

/// Output received so far and the bytes [memory_start, received_end) held in memory.
class output_window {
 public:
  /// `window_bytes` is both what stays held behind the end and the smallest step trimmed.
  explicit output_window(std::int64_t window_bytes);

  /// Takes an output frame of the keeper starting at absolute `offset`.
  output_verdict_variant accept(std::uint64_t offset, std::string_view bytes);

  /// Up to `max` held bytes from absolute offset `from`; empty when `from` is not held.
  std::string_view slice(std::int64_t from, std::size_t max) const;

  /// Drops bytes before both `needed_from` (what clients still wait for, ignored beyond the
  /// memory cap) and the window behind the end, never one at or after `committed_end`.
  void trim(std::int64_t needed_from, std::int64_t committed_end);

  /// Resumes after a restart from the recorded end and the newest recorded bytes before it.
  void restore(std::int64_t received_end, std::string tail);

  /// One past the newest byte received.
  std::int64_t received_end() const { return received_end_; }
  /// Offset of the oldest byte held.
  std::int64_t memory_start() const { return memory_start_; }
  /// The bytes held, starting at memory_start().
  std::string_view held() const { return memory_; }

 private:
  std::int64_t window_bytes_;
  std::string memory_;
  std::int64_t memory_start_ = 0;
  std::int64_t received_end_ = 0;
};

}  // namespace berth::actors
