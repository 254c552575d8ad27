#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "events/event_store.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using restart_pgtest = testing::pg_test;

TEST_F(restart_pgtest, survives_a_postgresql_restart_without_losing_acknowledged_events) {
  event_store store({url()});
  std::atomic<bool> stop{false};
  std::atomic<int> unavailable{0};
  std::atomic<int> succeeded_after_restart{0};
  std::atomic<bool> restarted{false};
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      const auto stream = "session-" + std::to_string(w);
      while (!stop) {
        auto request = make_append(stream, expected_version::any);
        auto outcome = store.append(request);
        if (outcome) {
          std::lock_guard lock(mutex);
          acknowledged.insert(request.events[0].event_id);
          if (restarted) ++succeeded_after_restart;
        } else {
          EXPECT_EQ(outcome.error().code, error_code::dependency_unavailable)
              << outcome.error().message;
          ++unavailable;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a caller's back-off
        }
      }
    });
  }
  ASSERT_TRUE(testing::wait_until([&] {
    std::lock_guard lock(mutex);
    return acknowledged.size() > 100;
  }));
  ASSERT_TRUE(testing::run_services("pg-stop"));
  ASSERT_TRUE(testing::wait_until([&] { return unavailable > 10; }));
  EXPECT_FALSE(store.ping());
  ASSERT_TRUE(testing::run_services("pg-start"));
  restarted = true;
  EXPECT_TRUE(
      testing::wait_until([&] { return succeeded_after_restart > 100; }, std::chrono::seconds(30)));
  stop = true;
  for (auto& writer : writers)
    writer.join();

  std::set<std::string> stored;
  for (int w = 0; w < 8; ++w) {
    auto events = store.read_stream("session-" + std::to_string(w), 1, 1'000'000);
    ASSERT_TRUE(events) << events.error().message;
    for (const auto& event : *events)
      stored.insert(event.event_id);
  }
  for (const auto& id : acknowledged)
    EXPECT_TRUE(stored.count(id)) << "lost acknowledged event " << id;
}

}  // namespace
}  // namespace berth::events
