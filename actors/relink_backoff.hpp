#pragma once
// How long a session waits before linking to its keeper again: exponential backoff with
// "equal jitter" (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
// Full jitter may draw a delay near zero every time, so it cannot bound how often a keeper that
// breaks every link makes us run `docker exec`; half of each ceiling is kept as a floor.
// Pure: the clock and the random source are injected.

#include <chrono>
#include <functional>
#include <optional>

namespace berth::actors {

/// The ceiling of the first delay: short, so a link broken once comes back unnoticed.
inline constexpr std::chrono::milliseconds relink_base_delay{200};

/// The largest ceiling: once reached every wait is 2.5 to 5 s, so a keeper that breaks each
/// link right after attaching costs at most 30 `docker exec` a minute (see the tests).
inline constexpr std::chrono::milliseconds relink_max_delay{5000};

/// A link attached this long counts as healthy: only then does the next delay start low again.
inline constexpr std::chrono::seconds relink_healthy_period{30};

/// Consecutive links that fail to open, or end before attaching, before the shell is lost.
// Eight waits of 2.5-5 s at the cap ride out a Docker daemon restart of several seconds.
inline constexpr int max_relink_attempts = 8;

/// Delays between keeper links of one session, and when to stop trying.
class relink_backoff {
 public:
  using clock = std::chrono::steady_clock;

  /// `random` returns numbers in [0, 1).
  explicit relink_backoff(std::function<double()> random);

  /// The wait before the next link, after one that was open ended at `now`.
  std::chrono::milliseconds after_link_ended(clock::time_point now);

  /// The wait before the next link, after one failed to open.
  std::chrono::milliseconds after_open_failed();

  /// Records that the keeper answered attach (`attached` or `gap`) at `now`.
  void link_attached(clock::time_point now);

  /// True once max_relink_attempts links in a row failed to open or to attach.
  bool should_give_up() const { return failed_opens_ >= max_relink_attempts; }

 private:
  std::chrono::milliseconds next_delay();

  std::function<double()> random_;
  int attempt_ = 0;
  int failed_opens_ = 0;
  std::optional<clock::time_point> attached_at_;
};

}  // namespace berth::actors
