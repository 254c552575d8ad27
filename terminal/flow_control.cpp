#include "terminal/flow_control.hpp"

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>

namespace berth::terminal {

flow_control::flow_control(std::int64_t start_offset)
    : sent_end_(start_offset), acked_(start_offset) {
  assert(start_offset >= 0 && "output offsets count bytes from the session's start");
}

void flow_control::record_sent(std::int64_t offset, std::size_t size) {
  assert(offset == sent_end_ && "a client's output frames are contiguous");
  sent_end_ = offset + static_cast<std::int64_t>(size);
  update_pause();
}

protocol_result<void> flow_control::record_ack(std::int64_t offset) {
  if (offset < acked_) {
    return tl::unexpected(protocol_error{
        protocol_error_code::invalid_ack,
        "ack " + std::to_string(offset) + " is behind ack " + std::to_string(acked_)});
  }
  if (offset > sent_end_) {
    return tl::unexpected(protocol_error{protocol_error_code::invalid_ack,
                                         "ack " + std::to_string(offset) +
                                             " is beyond the output sent, which ends at " +
                                             std::to_string(sent_end_)});
  }
  acked_ = offset;
  update_pause();
  return {};
}

void flow_control::update_pause() {
  const auto pending = unacked();
  if (!paused_ && pending > high_watermark) paused_ = true;
  if (paused_ && pending < low_watermark) paused_ = false;
}

message_rate_limiter::message_rate_limiter(options limits, clock now)
    : limits_(limits), now_(std::move(now)), tokens_(limits.burst), refilled_at_(now_()) {}

bool message_rate_limiter::allow() {
  const auto now = now_();
  if (now > refilled_at_) {
    const std::chrono::duration<double> elapsed = now - refilled_at_;
    tokens_ = std::min(limits_.burst, tokens_ + elapsed.count() * limits_.rate);
    refilled_at_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace berth::terminal
