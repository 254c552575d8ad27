#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::auth {

/// The answer of a rate limiter: go ahead, or wait `retry_after` (at least one second).
struct rate_decision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};
};

/// Counts attempts per key (a user name, a client address) in a sliding window: at most
/// `max_attempts` unforgiven attempts within any `window`. Memory is bounded by `max_keys`
/// keys of `max_attempts` time stamps each; beyond it, the least recently used key is
/// forgotten. Thread-safe.
class rate_limiter {
 public:
  /// Time source; steady, so wall-clock jumps neither unlock nor lock anyone.
  using clock = std::function<std::chrono::steady_clock::time_point()>;

  /// Limits of one limiter.
  struct options {
    std::size_t max_attempts = 5;          ///< attempts allowed per window
    std::chrono::seconds window{15 * 60};  ///< length of the sliding window
    std::size_t max_keys = 100'000;        ///< keys remembered before evicting
  };

  /// Keys longer than this are truncated: no valid user name or address is, and it bounds
  /// the memory an attacker can make each key cost.
  static constexpr std::size_t max_key_size = 256;

  /// A limiter with `limits`, reading time from `now`.
  rate_limiter(options limits, clock now);

  /// Records an attempt for `key` and allows it, unless the key already has `max_attempts`
  /// attempts in the window: then nothing is recorded and the decision says when to retry.
  rate_decision try_attempt(std::string_view key);

  /// Forgives the latest attempt of `key` (call it when that attempt succeeded), so that only
  /// failures count; counting before the outcome stops parallel guesses from racing the limit.
  void forgive(std::string_view key);

  /// Number of keys currently remembered.
  std::size_t size() const;

 private:
  struct entry {
    std::string key;
    std::vector<std::chrono::steady_clock::time_point> attempts;  ///< oldest first
  };
  using entry_list = std::list<entry>;

  void drop_expired(entry& item, std::chrono::steady_clock::time_point now) const;
  void evict(std::chrono::steady_clock::time_point now);

  const options limits_;
  const clock now_;
  mutable std::mutex mutex_;
  entry_list entries_;                                                ///< least recently used first
  std::unordered_map<std::string_view, entry_list::iterator> index_;  ///< views into entries_
};

}  // namespace berth::auth
