#pragma once

// Per-client pacing of terminal output (docs/protocol.md, "Flow control"), the scheme of
// xterm.js's flow-control guide and VS Code's terminal: a browser parses 5-35 MB/s, so a
// server that writes faster only fills the browser's write buffer until the tab freezes. The
// window is measured (bench/browser/draw.mjs, Chromium on 2 cores): xterm.js pays a refresh
// per write, so the page gathers output while it draws and writes it in MiB-sized pieces;
// with 100 KB in flight it could never gather more than that and drew 20 MB ~9x slower than
// written directly, with 1 MB ~5x, with 4 MB ~2x.
// This is accounting for one WebSocket client only: it never pauses the shell or another
// client; a paused client catches up from the session's output later.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "terminal/protocol.hpp"

namespace berth::terminal {

/// Stop sending to a client with more than this many bytes sent but not acked: what the page
/// can gather while it draws the previous piece (a few MB of a browser's memory, none of the
/// server's: sent bytes leave the session's window).
inline constexpr std::int64_t high_watermark = 4'000'000;
/// Start again once fewer than this many bytes are unacked.
inline constexpr std::int64_t low_watermark = 1'000'000;
/// A client acks at least every this many rendered bytes (the UI acks after each write).
inline constexpr std::int64_t ack_interval = 64'000;
// An ack interval above the low watermark could leave a paused client with too few unacked
// bytes left to ever send the ack that resumes it: the stream would stop forever.
static_assert(ack_interval <= low_watermark);
static_assert(low_watermark < high_watermark);

/// Bytes sent to one client against the offsets it acked, with hysteresis between the two
/// watermarks.
class flow_control {
 public:
  /// A client whose output starts at `start_offset` (the `from` of its `attached`).
  explicit flow_control(std::int64_t start_offset);

  /// Records an output frame of `size` bytes sent from `offset`, which must continue the
  /// previous frame.
  void record_sent(std::int64_t offset, std::size_t size);
  /// Records the client's ack of `offset`: invalid_ack when it is behind the previous ack or
  /// beyond the bytes sent.
  protocol_result<void> record_ack(std::int64_t offset);

  /// Whether the next output frame may be sent now.
  bool may_send() const { return !paused_; }
  /// End offset of the output sent so far.
  std::int64_t sent_end() const { return sent_end_; }
  /// Highest offset acked so far.
  std::int64_t acked() const { return acked_; }
  /// Bytes sent but not acked.
  std::int64_t unacked() const { return sent_end_ - acked_; }

 private:
  void update_pause();

  std::int64_t sent_end_;
  std::int64_t acked_;
  bool paused_ = false;
};

/// A token bucket over one connection's incoming messages: `rate` per second on average with
/// bursts of up to `burst`. Typing, pasting and acks stay far below it; a flood does not.
class message_rate_limiter {
 public:
  /// Time source; steady, so wall-clock jumps neither grant nor withhold tokens.
  using clock = std::function<std::chrono::steady_clock::time_point()>;

  /// Limits of one limiter.
  struct options {
    double rate = 200;   ///< messages per second, sustained
    double burst = 400;  ///< messages allowed at once after a quiet period
  };

  /// A limiter with a full bucket, reading time from `now`.
  message_rate_limiter(options limits, clock now);

  /// Takes a token for one message; false when the bucket is empty (the connection sends
  /// `rate_limited` and closes).
  bool allow();

 private:
  options limits_;
  clock now_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_at_;
};

}  // namespace berth::terminal
