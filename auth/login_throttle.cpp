#include "auth/login_throttle.hpp"

#include <algorithm>
#include <cstdint>

namespace berth::auth {

namespace {

// Pairs looked at per call for expiry, so memory shrinks after a burst without a sweep.
constexpr int expired_pairs_checked = 2;

// Doublings beyond this already exceed any sensible cap (2^30 s is 34 years); stopping here
// keeps the shift defined however many failures a pair piles up.
constexpr std::size_t max_doublings = 30;

// User name and address, each cut as the rate limiter cuts keys, joined by a byte that no
// valid user name or address contains: names that do contain it can only share a delay with
// other such made-up names, never with a real user's pair.
std::string pair_key(std::string_view user_name, std::string_view address) {
  std::string key(user_name.substr(0, rate_limiter::max_key_size));
  key += '\0';
  key += address.substr(0, rate_limiter::max_key_size);
  return key;
}

}  // namespace

login_throttle::login_throttle(const login_limits& limits, rate_limiter::clock now)
    : limits_(limits), now_(std::move(now)), addresses_(limits.per_address, now_) {}

std::chrono::steady_clock::duration login_throttle::delay_after(std::size_t failures) const {
  if (failures < limits_.free_failures) return {};
  const auto doublings = std::min(failures - limits_.free_failures, max_doublings);
  // Capped in whole seconds, before the conversion to the clock's nanoseconds could overflow.
  return std::min(limits_.first_delay * (std::int64_t{1} << doublings), limits_.max_delay);
}

void login_throttle::forget_old_pairs(time_point now) {
  for (int i = 0; i < expired_pairs_checked && !pairs_.empty(); ++i) {
    const auto& oldest = pairs_.front();
    if (now - oldest.latest < limits_.failure_memory) break;
    index_.erase(oldest.key);
    pairs_.pop_front();
  }
  while (pairs_.size() > limits_.max_pairs) {
    index_.erase(pairs_.front().key);
    pairs_.pop_front();
  }
}

rate_decision login_throttle::try_login(std::string_view user_name, std::string_view address) {
  const auto key = pair_key(user_name, address);
  const std::lock_guard lock(mutex_);
  const auto now = now_();
  forget_old_pairs(now);
  auto found = index_.find(key);
  if (found != index_.end()) {
    // Most recently used goes last; splice keeps iterators and the key's storage valid.
    pairs_.splice(pairs_.end(), pairs_, found->second);
    auto& pair = *found->second;
    if (now - pair.latest >= limits_.failure_memory) pair.failures = 0;
    const auto ready_at = pair.latest + delay_after(pair.failures);
    if (now < ready_at) {
      return {false, std::max(std::chrono::ceil<std::chrono::seconds>(ready_at - now),
                              std::chrono::seconds{1})};
    }
  }
  // The address is asked only once the pair may go: a pair waiting out its delay does not
  // spend the budget of everyone else behind the same address.
  if (auto by_address = addresses_.try_attempt(address); !by_address.allowed) return by_address;
  if (found == index_.end()) {
    pairs_.push_back(pair_failures{key, 0, now});
    const auto last = std::prev(pairs_.end());
    found = index_.emplace(last->key, last).first;
  }
  auto& pair = *found->second;
  pair.failures += 1;
  pair.latest = now;
  forget_old_pairs(now);
  return {};
}

void login_throttle::succeeded(std::string_view user_name, std::string_view address) {
  const auto key = pair_key(user_name, address);
  const std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) {
    const auto pair = found->second;
    index_.erase(found);
    pairs_.erase(pair);
  }
  addresses_.forgive(address);
}

std::size_t login_throttle::pairs() const {
  const std::lock_guard lock(mutex_);
  return pairs_.size();
}

}  // namespace berth::auth
