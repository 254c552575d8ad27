#include "events/connection_pool.hpp"

namespace berth::events {

connection_pool::connection_pool(std::string database_url, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i)
    idle_.push_back(std::make_unique<pg_connection>(database_url));
}

std::unique_ptr<pg_connection> connection_pool::borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void connection_pool::give_back(std::unique_ptr<pg_connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

}  // namespace berth::events
