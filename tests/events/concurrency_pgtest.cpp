#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "events/event_store.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using concurrency_pgtest = testing::pg_test;

TEST_F(concurrency_pgtest, lets_exactly_one_of_fifty_writers_win_each_version) {
  event_store store({url()});
  constexpr int writers = 50;
  constexpr int appends_each = 6;
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::set<std::int64_t> won_versions;
  std::atomic<int> conflicts{0};
  std::atomic<int> duplicate_wins{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (int done = 0; done < appends_each;) {
        const auto version = store.stream_version("workspace-shared");
        ASSERT_TRUE(version);
        auto request = make_append("workspace-shared", *version);
        auto outcome = store.append(request);
        if (!outcome) {
          ASSERT_EQ(outcome.error().code, error_code::concurrency_conflict)
              << outcome.error().message;
          ++conflicts;
          continue;
        }
        std::lock_guard lock(mutex);
        if (!won_versions.insert(outcome->last_version).second) ++duplicate_wins;
        acknowledged.insert(request.events[0].event_id);
        ++done;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(duplicate_wins.load(), 0);
  EXPECT_GT(conflicts.load(), 0) << "the writers never raced: the test proves nothing";
  auto events = store.read_stream("workspace-shared", 1, 10'000);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), static_cast<std::size_t>(writers * appends_each));
  std::set<std::string> stored;
  for (std::size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].stream_version, static_cast<std::int64_t>(i + 1));
    stored.insert((*events)[i].event_id);
  }
  EXPECT_EQ(stored, acknowledged);
}

TEST_F(concurrency_pgtest, group_commits_two_hundred_streams_in_shared_transactions) {
  event_store store({url()});
  constexpr int streams = 200;
  constexpr int appends_each = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      std::int64_t version = 0;
      for (int i = 0; i < appends_each; ++i) {
        auto outcome = store.append(make_append("session-" + std::to_string(s), version));
        if (!outcome) {
          ++failures;
          return;
        }
        version = outcome->last_version;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
  pqxx::connection c(url());
  pqxx::read_transaction tx(c);
  const auto counts =
      tx.exec1("SELECT count(*), count(DISTINCT stream_id), count(DISTINCT tx_id) FROM es_events");
  EXPECT_EQ(counts[0].as<int>(), streams * appends_each);
  EXPECT_EQ(counts[1].as<int>(), streams);
  // Group commit: far fewer transactions than appends.
  EXPECT_LT(counts[2].as<int>(), streams * appends_each / 4);
  const auto gaps = tx.exec1(
      "SELECT count(*) FROM (SELECT stream_id, max(stream_version) AS top, count(*) AS n "
      "FROM es_events GROUP BY stream_id) s WHERE top <> n OR n <> 10");
  EXPECT_EQ(gaps[0].as<int>(), 0);
}

TEST_F(concurrency_pgtest, fails_only_the_conflicting_append_of_a_batch) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-conflicted", expected_version::no_stream)));
  constexpr int others = 100;
  std::mutex mutex;
  std::condition_variable done;
  int finished = 0;
  std::vector<result<append_result>> outcomes(others + 1);
  const auto record = [&](int index) {
    return [&, index](result<append_result> outcome) {
      std::lock_guard lock(mutex);
      outcomes[static_cast<std::size_t>(index)] = std::move(outcome);
      ++finished;
      done.notify_all();
    };
  };
  for (int i = 0; i < others; ++i) {
    store.append_async(make_append("workspace-" + std::to_string(i), expected_version::no_stream),
                       record(i));
    if (i == others / 2) store.append_async(make_append("workspace-conflicted", 7), record(others));
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(
      done.wait_for(lock, std::chrono::seconds(30), [&] { return finished == others + 1; }));
  for (int i = 0; i < others; ++i)
    EXPECT_TRUE(outcomes[static_cast<std::size_t>(i)]) << i;
  ASSERT_FALSE(outcomes[others]);
  EXPECT_EQ(outcomes[others].error().code, error_code::concurrency_conflict);
  EXPECT_EQ(outcomes[others].error().actual_version, 1);
}

TEST_F(concurrency_pgtest, orders_appends_to_one_stream_within_a_batch) {
  event_store store({url()});
  std::mutex mutex;
  std::condition_variable done;
  int finished = 0;
  std::vector<std::int64_t> versions;
  for (int i = 0; i < 20; ++i) {
    store.append_async(make_append("workspace-1", expected_version::any),
                       [&](result<append_result> r) {
                         std::lock_guard lock(mutex);
                         if (r) versions.push_back(r->last_version);
                         ++finished;
                         done.notify_all();
                       });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(done.wait_for(lock, std::chrono::seconds(30), [&] { return finished == 20; }));
  std::sort(versions.begin(), versions.end());
  ASSERT_EQ(versions.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(versions[static_cast<std::size_t>(i)], i + 1);
}

}  // namespace
}  // namespace berth::events
