#include "http/user_gate.hpp"

namespace berth::http {

std::shared_ptr<void> user_gate::enter(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto& count = held_[user_id];
  if (count >= per_user_) return nullptr;
  ++count;
  // The ticket's deleter gives the place back, whichever thread drops the last copy (it
  // points at the gate only to be non-null; nothing is deleted).
  return std::shared_ptr<void>(this, [this, user_id](void*) {
    std::lock_guard release(mutex_);
    const auto found = held_.find(user_id);
    if (found != held_.end() && --found->second == 0) held_.erase(found);
  });
}

std::size_t user_gate::held(const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  const auto found = held_.find(user_id);
  return found == held_.end() ? 0 : found->second;
}

}  // namespace berth::http
