#include "actors/output_window.hpp"

#include <algorithm>
#include <limits>

namespace berth::actors {

std::string_view to_string(output_refusal reason) {
  switch (reason) {
    case output_refusal::frame_too_large:
      return "output frame larger than the keeper protocol allows";
    case output_refusal::offset_overflow:
      return "output offset beyond 2^63";
    case output_refusal::too_far_ahead:
      return "output offset more than a journal beyond the bytes received";
  }
  return "unknown refusal";
}

output_window::output_window(std::int64_t window_bytes) : window_bytes_(window_bytes) {}

output_verdict_variant output_window::accept(std::uint64_t offset, std::string_view bytes) {
  constexpr auto max_offset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (bytes.size() > max_output_frame_bytes) {
    return output_verdict::refused{output_refusal::frame_too_large};
  }
  // Checked without computing offset + size, which could wrap.
  if (offset > max_offset || bytes.size() > max_offset - offset) {
    return output_verdict::refused{output_refusal::offset_overflow};
  }
  auto start = static_cast<std::int64_t>(offset);
  const auto end = start + static_cast<std::int64_t>(bytes.size());
  if (start > received_end_ && start - received_end_ > max_gap) {
    return output_verdict::refused{output_refusal::too_far_ahead};
  }
  if (end <= received_end_) return output_verdict::duplicate{};
  if (start <= received_end_) {
    bytes.remove_prefix(static_cast<std::size_t>(received_end_ - start));
    memory_.append(bytes);
    const auto appended_at = received_end_;
    received_end_ = end;
    return output_verdict::appended{appended_at, bytes};
  }
  // The keeper no longer holds [received_end_, start): what is held must stay contiguous.
  const auto from = received_end_;
  memory_.assign(bytes);
  memory_start_ = start;
  received_end_ = end;
  return output_verdict::gap{from, start, bytes};
}

std::string_view output_window::slice(std::int64_t from, std::size_t max) const {
  if (from < memory_start_ || from >= received_end_) return {};
  return std::string_view(memory_).substr(static_cast<std::size_t>(from - memory_start_), max);
}

void output_window::trim(std::int64_t needed_from, std::int64_t committed_end) {
  auto keep_from = std::min(needed_from, received_end_ - window_bytes_);
  keep_from = std::max(keep_from, received_end_ - max_memory_bytes);
  keep_from = std::min(keep_from, committed_end);
  // Erase in window-sized steps: erasing the front of a string moves the rest.
  if (keep_from - memory_start_ < window_bytes_) return;
  memory_.erase(0, static_cast<std::size_t>(keep_from - memory_start_));
  memory_start_ = keep_from;
  if (memory_.capacity() > 4 * std::max<std::size_t>(memory_.size(), 4096)) memory_.shrink_to_fit();
}

void output_window::restore(std::int64_t received_end, std::string tail) {
  // A tail longer than the output would start before offset 0: keep only its newest bytes.
  const auto most = static_cast<std::size_t>(std::max<std::int64_t>(received_end, 0));
  if (tail.size() > most) tail.erase(0, tail.size() - most);
  memory_ = std::move(tail);
  received_end_ = received_end;
  memory_start_ = received_end_ - static_cast<std::int64_t>(memory_.size());
}

}  // namespace berth::actors
