#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "events/pg_connection.hpp"

namespace berth::events {

/// A fixed set of connections lent to one caller at a time.
class connection_pool {
 public:
  connection_pool(std::string database_url, std::size_t size);

  /// Runs `work(pqxx::connection&)` on a borrowed connection (waits when all are lent).
  template <class Work>
  auto run(Work&& work) {
    auto connection = borrow();
    auto outcome = connection->run(std::forward<Work>(work));
    give_back(std::move(connection));
    return outcome;
  }

 private:
  std::unique_ptr<pg_connection> borrow();
  void give_back(std::unique_ptr<pg_connection> connection);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pg_connection>> idle_;
};

}  // namespace berth::events
