#include "http/download_limits.hpp"

namespace berth::http {

std::function<bool(std::string_view)> bounded_writer(
    const std::function<bool(std::string_view)>& write, const download_limits& limits,
    std::function<std::chrono::steady_clock::time_point()> now) {
  const auto deadline = now() + limits.max_duration;
  auto sent = std::make_shared<std::uint64_t>(0);
  return [&write, limits, now = std::move(now), deadline, sent](std::string_view piece) {
    if (now() >= deadline || *sent + piece.size() > limits.max_bytes) return false;
    *sent += piece.size();
    return write(piece);
  };
}

}  // namespace berth::http
