#include "actors/screen_feeder.hpp"

#include <utility>

namespace berth::actors {

screen_feeder::screen_feeder(screen_model model) : model_(std::move(model)) {}

bool screen_feeder::feed(std::string_view bytes) {
  if (bytes.empty()) return false;
  std::lock_guard lock(queue_mutex_);
  // Small writes (echoed keys) join the previous chunk instead of costing an op each.
  if (!queue_.empty() && std::holds_alternative<std::string>(queue_.back()) &&
      std::get<std::string>(queue_.back()).size() + bytes.size() <= screen_drain_quantum) {
    std::get<std::string>(queue_.back()).append(bytes);
  } else {
    queue_.emplace_back(std::string(bytes));
  }
  queued_bytes_ += bytes.size();
  return !std::exchange(drain_pending_, true);
}

void screen_feeder::resize(int rows, int cols) {
  std::lock_guard lock(queue_mutex_);
  queue_.emplace_back(resize_op{rows, cols});
}

bool screen_feeder::drain_some(std::size_t budget) {
  std::lock_guard model_lock(model_mutex_);
  return feed_queued(budget);
}

std::size_t screen_feeder::queued_bytes() const {
  std::lock_guard lock(queue_mutex_);
  return queued_bytes_;
}

void screen_feeder::replace(screen_model model) {
  std::lock_guard model_lock(model_mutex_);
  std::lock_guard lock(queue_mutex_);
  queue_.clear();
  queued_bytes_ = 0;
  model_ = std::move(model);
}

bool screen_feeder::feed_queued(std::size_t budget) {
  std::size_t fed = 0;
  for (;;) {
    op next;
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.empty()) {
        drain_pending_ = false;  // the next feed starts a feeding job again
        return false;
      }
      if (fed >= budget) return true;
      next = std::move(queue_.front());
      queue_.pop_front();
      if (const auto* bytes = std::get_if<std::string>(&next)) queued_bytes_ -= bytes->size();
    }
    // Fed outside the queue's lock (the session keeps queueing meanwhile) and inside the
    // model's, taken before the op was: nobody sees the model without it.
    if (const auto* bytes = std::get_if<std::string>(&next)) {
      model_.feed(*bytes);
      fed += bytes->size();
    } else {
      const auto& size = std::get<resize_op>(next);
      model_.resize(size.rows, size.cols);
    }
  }
}

}  // namespace berth::actors
