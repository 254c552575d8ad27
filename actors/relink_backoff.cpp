#include "actors/relink_backoff.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace berth::actors {

relink_backoff::relink_backoff(std::function<double()> random) : random_(std::move(random)) {}

std::chrono::milliseconds relink_backoff::after_link_ended(clock::time_point now) {
  if (!attached_at_) {
    // Opened but never attached (the exec died, the keeper hung up): no better than a failed
    // open, and counted as one so such a loop ends.
    ++failed_opens_;
  } else if (now - *attached_at_ >= relink_healthy_period) {
    attempt_ = 0;
  }
  attached_at_.reset();
  return next_delay();
}

std::chrono::milliseconds relink_backoff::after_open_failed() {
  ++failed_opens_;
  attached_at_.reset();
  return next_delay();
}

void relink_backoff::link_attached(clock::time_point now) {
  attached_at_ = now;
  failed_opens_ = 0;
}

std::chrono::milliseconds relink_backoff::next_delay() {
  auto ceiling = relink_base_delay;
  for (int i = 0; i < attempt_ && ceiling < relink_max_delay; ++i)
    ceiling *= 2;
  ceiling = std::min(ceiling, relink_max_delay);
  // Growing past the cap changes nothing, and keeps the count small.
  if (ceiling < relink_max_delay) ++attempt_;
  const double draw = std::clamp(random_(), 0.0, 1.0);
  const auto half = ceiling / 2;
  return half + std::chrono::milliseconds(static_cast<std::int64_t>(
                    draw * static_cast<double>((ceiling - half).count())));
}

}  // namespace berth::actors
