#pragma once

#include <chrono>
#include <string_view>

#include "auth/rate_limiter.hpp"

namespace berth::auth {

/// Limits of the login throttle: one limiter per user name, one per client address.
struct login_limits {
  /// Guesses at one account: 5 failures per 15 minutes slows any online guessing to a crawl.
  rate_limiter::options per_user{5, std::chrono::minutes{15}, 100'000};
  /// Guesses from one address across accounts; higher, since NAT puts many users behind one.
  rate_limiter::options per_address{20, std::chrono::minutes{15}, 100'000};
};

/// Throttles password logins: call `try_login` before verifying a password and `succeeded`
/// after a correct one, so that only failures use up the budget. Thread-safe.
class login_throttle {
 public:
  /// A throttle with `limits`, reading time from `now`.
  login_throttle(const login_limits& limits, rate_limiter::clock now);

  /// Allows a login attempt for `user_name` from `address`, or says when to retry. The
  /// address is charged first: a blocked address cannot spend a victim's per-user budget.
  rate_decision try_login(std::string_view user_name, std::string_view address);

  /// Forgives the attempt that `try_login` recorded, after the password proved correct.
  void succeeded(std::string_view user_name, std::string_view address);

 private:
  rate_limiter users_;
  rate_limiter addresses_;
};

}  // namespace berth::auth
