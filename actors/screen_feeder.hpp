#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "actors/screen_model.hpp"

namespace berth::actors {

/// Output bytes queued for the screen model beyond which the session feeds them itself, on
/// its own thread, before it takes more: the queue is a second copy of output in memory, so
/// a flood must not grow it, and 1 MiB (sixteen full keeper frames) keeps the feeding thread
/// busy between two looks.
inline constexpr std::size_t max_unfed_screen_bytes = 1024 * 1024;

/// Bytes fed under the model's lock at a time (about a millisecond of libvterm): how long a
/// snapshot or keyframe waits for the feeding thread at most.
inline constexpr std::size_t screen_drain_quantum = 64 * 1024;

/// A session's screen model fed off the session's thread. libvterm costs more CPU per byte
/// than the rest of the output path together (`berth bench screen`: ~65 MB/s), so the session
/// only queues output and resizes here, in order, and a job on the screen pool (threads of
/// its own, `session_service.cpp`) feeds them to the model. Whoever needs the screen exact —
/// a snapshot for a resuming client, a keyframe — calls `with_current`, which feeds what is
/// still queued first: the model then reflects every byte and resize queued so far, as if it
/// had been fed inline. Thread-safe: the session and the feeding job share one instance.
class screen_feeder {
 public:
  explicit screen_feeder(screen_model model);

  /// Queues output for the model. True when the queue had no drain pending: the caller then
  /// starts feeding (drain_some, a quantum at a time, until it returns false).
  bool feed(std::string_view bytes);
  /// Queues a resize, in order with the output around it.
  void resize(int rows, int cols);
  /// Feeds queued output and resizes, about `budget` bytes of output; true while more is
  /// queued (call again), false once the queue is empty.
  bool drain_some(std::size_t budget);
  /// Output bytes queued and not fed yet.
  std::size_t queued_bytes() const;
  /// Replaces the model (a recovered one), dropping anything queued for the old one.
  void replace(screen_model model);

  /// Calls `use(const screen_model&)` after feeding everything queued; returns its result.
  template <class Use>
  auto with_current(Use&& use) {
    std::lock_guard model_lock(model_mutex_);
    feed_queued(static_cast<std::size_t>(-1));
    return use(static_cast<const screen_model&>(model_));
  }

 private:
  struct resize_op {
    int rows;
    int cols;
  };
  using op = std::variant<std::string, resize_op>;

  /// Feeds queued ops up to `budget` output bytes; the caller holds model_mutex_.
  bool feed_queued(std::size_t budget);

  /// Held while the model is fed or read; taken before queue_mutex_, never after.
  mutable std::mutex model_mutex_;
  screen_model model_;
  /// Held briefly to queue or take ops: `feed` never waits for the model.
  mutable std::mutex queue_mutex_;
  std::deque<op> queue_;
  std::size_t queued_bytes_ = 0;
  bool drain_pending_ = false;
};

}  // namespace berth::actors
