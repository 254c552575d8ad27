#include "docker/keeper/journal.hpp"

#include <algorithm>
#include <cstring>

namespace berth::keeper {

// new char[] (not make_unique) leaves the bytes uninitialised, so the kernel maps pages only
// as output fills them.
journal::journal(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)), ring_(new char[capacity_]) {}

std::size_t journal::append(std::string_view bytes) {
  const std::size_t count = std::min(bytes.size(), writable());
  const std::size_t held = static_cast<std::size_t>(end_ - begin_);
  if (held + count > capacity_) {
    // Only acknowledged bytes are dropped: writable() left room for count beyond acked_.
    begin_ += held + count - capacity_;
  }
  std::size_t copied = 0;
  while (copied < count) {
    const std::size_t at = index(end_ + copied);
    const std::size_t chunk = std::min(count - copied, capacity_ - at);
    std::memcpy(ring_.get() + at, bytes.data() + copied, chunk);
    copied += chunk;
  }
  end_ += count;
  return count;
}

std::string_view journal::read(std::uint64_t from, std::size_t max) const {
  if (from < begin_ || from >= end_) return {};
  const std::size_t at = index(from);
  const std::size_t available = static_cast<std::size_t>(end_ - from);
  const std::size_t length = std::min({max, available, capacity_ - at});
  return {ring_.get() + at, length};
}

bool journal::ack(std::uint64_t offset) {
  if (offset > end_) return false;
  acked_ = std::max(acked_, offset);
  return true;
}

}  // namespace berth::keeper
