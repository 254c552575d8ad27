#pragma once

#include <chrono>

#include "auth/rate_limiter.hpp"

namespace berth::auth::testing {

/// A steady clock that moves only when a test advances it.
class fake_clock {
 public:
  /// Moves time forward by `step`.
  void advance(std::chrono::steady_clock::duration step) { now_ += step; }

  /// A clock function for a rate limiter; valid while this fake lives.
  rate_limiter::clock function() {
    return [this] { return now_; };
  }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours{1000}};
};

}  // namespace berth::auth::testing
