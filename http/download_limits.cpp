#include "http/download_limits.hpp"

namespace berth::http {

std::shared_ptr<void> download_gate::enter(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto& count = running_[user_id];
  if (count >= limits_.per_user) return nullptr;
  ++count;
  // The ticket's deleter gives the place back, whichever thread drops the last copy (it
  // points at the gate only to be non-null; nothing is deleted).
  return std::shared_ptr<void>(this, [this, user_id](void*) {
    std::lock_guard release(mutex_);
    const auto found = running_.find(user_id);
    if (found != running_.end() && --found->second == 0) running_.erase(found);
  });
}

std::size_t download_gate::running(const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  const auto found = running_.find(user_id);
  return found == running_.end() ? 0 : found->second;
}

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
