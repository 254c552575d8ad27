#pragma once

// The queue between a streamed body's producer and the connection that writes it; private to
// server.cpp, in a file of its own to keep the server readable.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace berth::http {

/// The pieces of a streamed body between the producer (a worker thread) and the connection's
/// strand, which writes them. The producer blocks while the queue is full, so a slow client
/// holds back the producer instead of growing memory.
class chunk_queue {
 public:
  /// Largest piece written as one HTTP chunk; longer writes are split.
  static constexpr std::size_t max_piece = 64 * 1024;
  /// Bytes queued at most (a piece being written plus those waiting): enough to keep the socket
  /// busy while the producer makes the next piece, small enough for many concurrent streams.
  static constexpr std::size_t max_queued = 256 * 1024;

  /// Waits for room, then queues a copy of `piece` (at most `max_piece` bytes); false once the
  /// stream failed.
  bool push(std::string_view piece) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return failed_ || queued_ + piece.size() <= max_queued; });
    if (failed_) return false;
    pieces_.emplace_back(piece);
    queued_ += piece.size();
    return true;
  }

  /// The oldest queued piece, or null. It stays valid until `pop`: a deque keeps references to
  /// its elements when others are appended.
  const std::string* front() {
    std::lock_guard lock(mutex_);
    return pieces_.empty() ? nullptr : &pieces_.front();
  }

  /// Drops the oldest piece once it is written and wakes the producer.
  void pop() {
    std::lock_guard lock(mutex_);
    queued_ -= pieces_.front().size();
    pieces_.pop_front();
    room_.notify_all();
  }

  /// The producer is done: after the queued pieces comes the last chunk.
  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }

  /// The client is gone, the server stops or the producer threw: every push now returns false.
  void fail() {
    std::lock_guard lock(mutex_);
    failed_ = true;
    room_.notify_all();
  }

  bool finished() {
    std::lock_guard lock(mutex_);
    return finished_;
  }

  bool failed() {
    std::lock_guard lock(mutex_);
    return failed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable room_;
  std::deque<std::string> pieces_;
  std::size_t queued_ = 0;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace berth::http
