#include "auth/rate_limiter.hpp"

#include <algorithm>

namespace berth::auth {

namespace {

// Entries looked at per call for expiry, so memory shrinks after a burst without a sweep.
constexpr int expired_entries_checked = 2;

std::string_view bounded(std::string_view key) {
  return key.substr(0, rate_limiter::max_key_size);
}

}  // namespace

rate_limiter::rate_limiter(options limits, clock now) : limits_(limits), now_(std::move(now)) {}

void rate_limiter::drop_expired(entry& item, std::chrono::steady_clock::time_point now) const {
  const auto start = now - limits_.window;
  const auto first_live = std::find_if(item.attempts.begin(), item.attempts.end(),
                                       [&](auto attempt) { return attempt > start; });
  item.attempts.erase(item.attempts.begin(), first_live);
}

void rate_limiter::evict(std::chrono::steady_clock::time_point now) {
  for (int i = 0; i < expired_entries_checked && !entries_.empty(); ++i) {
    auto& oldest = entries_.front();
    drop_expired(oldest, now);
    if (!oldest.attempts.empty()) break;
    index_.erase(oldest.key);
    entries_.pop_front();
  }
  while (entries_.size() > limits_.max_keys) {
    index_.erase(entries_.front().key);
    entries_.pop_front();
  }
}

rate_decision rate_limiter::try_attempt(std::string_view key) {
  key = bounded(key);
  const std::lock_guard lock(mutex_);
  const auto now = now_();
  auto found = index_.find(key);
  if (found == index_.end()) {
    entries_.push_back(entry{std::string(key), {}});
    auto last = std::prev(entries_.end());
    found = index_.emplace(last->key, last).first;
  } else {
    // Most recently used goes last; splice keeps iterators and the key's storage valid.
    entries_.splice(entries_.end(), entries_, found->second);
  }
  auto& item = *found->second;
  drop_expired(item, now);
  rate_decision decision;
  if (item.attempts.size() >= limits_.max_attempts) {
    // Blocked until the oldest attempt in the window leaves it; round up to whole seconds.
    // With max_attempts 0 nothing is ever recorded: every attempt waits a whole window.
    const auto oldest = item.attempts.empty() ? now : item.attempts.front();
    const auto wait = oldest + limits_.window - now;
    decision.allowed = false;
    decision.retry_after =
        std::max(std::chrono::ceil<std::chrono::seconds>(wait), std::chrono::seconds{1});
  } else {
    item.attempts.push_back(now);
  }
  evict(now);
  return decision;
}

void rate_limiter::forgive(std::string_view key) {
  key = bounded(key);
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end() || found->second->attempts.empty()) return;
  found->second->attempts.pop_back();
}

std::size_t rate_limiter::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace berth::auth
