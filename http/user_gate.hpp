#pragma once

// How many of something one user holds at once (downloads running, terminal WebSockets
// open), counted in this process. Thread-safe.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace berth::http {

/// Counts what each user holds against one per-user bound.
class user_gate {
 public:
  explicit user_gate(std::size_t per_user) : per_user_(per_user) {}

  /// A ticket while `user_id` holds fewer than `per_user` (it counts until the last copy of
  /// the ticket is destroyed, on any thread), or null when they hold that many already.
  std::shared_ptr<void> enter(const std::string& user_id);
  /// What `user_id` holds now.
  std::size_t held(const std::string& user_id) const;
  /// The bound.
  std::size_t per_user() const { return per_user_; }

 private:
  const std::size_t per_user_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> held_;  ///< only users holding something
};

}  // namespace berth::http
