#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/rate_limiter.hpp"

namespace berth::auth {

/// Limits of the login throttle: a growing delay per (user name, client address) pair, and a
/// budget per client address across all user names.
struct login_limits {
  /// Failures of one pair that cost nothing: a user who forgets which of their passwords
  /// they chose, or fumbles a keyboard layout, gets as many tries as the old lockout allowed.
  std::size_t free_failures = 5;
  /// The wait after the first failure beyond the free ones; it doubles with each further one
  /// (1 s, 2 s, 4 s, ...), so a person retrying barely notices it and a script soon does.
  std::chrono::seconds first_delay{1};
  /// The longest wait of a pair: never worse than the old 15-minute lockout, and at most
  /// 96 guesses a day at one account from one address once reached (after 15 failures).
  std::chrono::seconds max_delay{15 * 60};
  /// A pair's failures are forgotten this long after its latest one: long enough that an
  /// attacker who pauses gains fewer guesses than the cap allows meanwhile, short enough
  /// that yesterday's typos do not slow today's login.
  std::chrono::seconds failure_memory{24 * 3600};
  /// Pairs remembered before the least recently used is forgotten: bounds memory at about
  /// 100'000 × (two keys of at most 256 bytes), whatever the number of addresses guessing.
  std::size_t max_pairs = 100'000;
  /// Failures from one address across user names (password spraying). Generous, since NAT
  /// puts a whole office behind one address and its people mistype too: a few hundred people
  /// rarely fail 50 times in 15 minutes, and a sprayer gets at most 200 guesses an hour.
  rate_limiter::options per_address{50, std::chrono::minutes{15}, 100'000};
};

/// Throttles password logins: call `try_login` before verifying a password and `succeeded`
/// after a correct one, so that only failures cost. Each (user name, address) pair waits
/// longer after each failure beyond a few free ones, up to a cap; pairs are independent, so
/// an attacker at one address never slows the same user at another. Thread-safe.
class login_throttle {
 public:
  /// A throttle with `limits`, reading time from `now`.
  login_throttle(const login_limits& limits, rate_limiter::clock now);

  /// Allows a login attempt for `user_name` from `address` and counts it as a failure until
  /// `succeeded` says otherwise, or says when to retry (then nothing is counted, so retrying
  /// early never lengthens the wait). Counting before the outcome stops parallel guesses
  /// from racing past the delay.
  rate_decision try_login(std::string_view user_name, std::string_view address);

  /// Forgets the pair's failures after its password proved correct, and gives the address
  /// back the attempt `try_login` counted.
  void succeeded(std::string_view user_name, std::string_view address);

  /// Number of (user name, address) pairs currently remembered.
  std::size_t pairs() const;

 private:
  using time_point = std::chrono::steady_clock::time_point;
  struct pair_failures {
    std::string key;
    std::size_t failures = 0;
    time_point latest{};  ///< of the latest failure counted
  };
  using pair_list = std::list<pair_failures>;

  std::chrono::steady_clock::duration delay_after(std::size_t failures) const;
  void forget_old_pairs(time_point now);

  const login_limits limits_;
  const rate_limiter::clock now_;
  mutable std::mutex mutex_;  ///< guards pairs_ and index_; taken before addresses_' own
  pair_list pairs_;           ///< least recently used first
  std::unordered_map<std::string_view, pair_list::iterator> index_;  ///< views into pairs_
  rate_limiter addresses_;
};

}  // namespace berth::auth
