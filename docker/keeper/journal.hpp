#pragma once
// A session's output journal: a ring of bytes addressed by absolute offsets since the session
// started. Bytes leave only once acknowledged and only to make room, so an unacknowledged byte
// is never lost: a full journal of unacknowledged bytes simply refuses more (back-pressure).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace berth::keeper {

/// Ring buffer of output with absolute offsets [begin, end) and an acknowledged mark.
class journal {
 public:
  /// Capacity is allocated up front but untouched pages cost no memory until written.
  explicit journal(std::size_t capacity);

  /// Oldest offset still held.
  std::uint64_t begin() const { return begin_; }
  /// Offset one past the newest byte: the total bytes ever appended.
  std::uint64_t end() const { return end_; }
  /// Every byte before this offset is acknowledged and may be dropped.
  std::uint64_t acked() const { return acked_; }
  std::size_t capacity() const { return capacity_; }

  /// How many bytes append() accepts now: capacity less the unacknowledged bytes.
  std::size_t writable() const { return capacity_ - static_cast<std::size_t>(end_ - acked_); }

  /// Stores up to writable() bytes, dropping the oldest acknowledged ones as needed; returns
  /// how many were stored.
  std::size_t append(std::string_view bytes);

  /// Up to max contiguous bytes starting at from, which must lie in [begin, end]; a read that
  /// crosses the ring's end returns the first part, the next read the rest.
  std::string_view read(std::uint64_t from, std::size_t max) const;

  /// Records that bytes before offset are stored elsewhere; false (and no change) when offset
  /// is past end. Acks never move backwards.
  bool ack(std::uint64_t offset);

 private:
  std::size_t index(std::uint64_t offset) const {
    return static_cast<std::size_t>(offset % capacity_);
  }

  std::size_t capacity_;
  std::unique_ptr<char[]> ring_;
  std::uint64_t begin_ = 0;
  std::uint64_t end_ = 0;
  std::uint64_t acked_ = 0;
};

}  // namespace berth::keeper
