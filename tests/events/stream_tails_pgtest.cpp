// read_stream_tails: many streams' snapshots and events in one query, for batched recovery.
#include <gtest/gtest.h>

#include "events/event_store.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using stream_tails_pgtest = testing::pg_test;

std::vector<std::int64_t> versions_of(const stream_tail& tail) {
  std::vector<std::int64_t> versions;
  for (const auto& event : tail.events)
    versions.push_back(event.stream_version);
  return versions;
}

TEST_F(stream_tails_pgtest, answers_every_stream_in_the_order_asked_with_its_events) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-a", expected_version::no_stream, 3)));
  ASSERT_TRUE(store.append(make_append("workspace-b", expected_version::no_stream, 1)));
  auto tails = store.read_stream_tails({"workspace-b", "workspace-missing", "workspace-a"},
                                       std::nullopt, 100);
  ASSERT_TRUE(tails) << tails.error().message;
  ASSERT_EQ(tails->size(), 3u);
  EXPECT_EQ((*tails)[0].stream_id, "workspace-b");
  EXPECT_EQ(versions_of((*tails)[0]), (std::vector<std::int64_t>{1}));
  // A stream that does not exist comes back empty, not left out.
  EXPECT_EQ((*tails)[1].stream_id, "workspace-missing");
  EXPECT_TRUE((*tails)[1].events.empty());
  EXPECT_FALSE((*tails)[1].snapshot);
  EXPECT_EQ(versions_of((*tails)[2]), (std::vector<std::int64_t>{1, 2, 3}));
  // The events are whole: what read_stream returns.
  const auto read = store.read_stream("workspace-a");
  ASSERT_TRUE(read);
  EXPECT_EQ((*tails)[2].events[1].event_id, (*read)[1].event_id);
  EXPECT_EQ((*tails)[2].events[1].data, (*read)[1].data);
  EXPECT_EQ((*tails)[2].events[1].global_position, (*read)[1].global_position);
}

TEST_F(stream_tails_pgtest, starts_after_the_snapshot_of_the_fold_version_asked_for) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-a", expected_version::no_stream, 5)));
  ASSERT_TRUE(store.save_snapshot({"workspace-a", 3, 7, "state at 3"}));
  ASSERT_TRUE(store.save_snapshot({"workspace-a", 4, 6, "older fold code"}));

  auto with_snapshot = store.read_stream_tails({"workspace-a"}, 7, 100);
  ASSERT_TRUE(with_snapshot);
  const auto& tail = with_snapshot->front();
  ASSERT_TRUE(tail.snapshot);
  EXPECT_EQ(tail.snapshot->stream_version, 3);
  EXPECT_EQ(tail.snapshot->state, "state at 3");
  EXPECT_EQ(versions_of(tail), (std::vector<std::int64_t>{4, 5}));

  auto without = store.read_stream_tails({"workspace-a"}, std::nullopt, 100);
  ASSERT_TRUE(without);
  EXPECT_FALSE(without->front().snapshot);
  EXPECT_EQ(versions_of(without->front()), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(stream_tails_pgtest, stops_each_stream_at_the_limit) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-a", expected_version::no_stream, 5)));
  ASSERT_TRUE(store.append(make_append("workspace-b", expected_version::no_stream, 2)));
  auto tails = store.read_stream_tails({"workspace-a", "workspace-b"}, std::nullopt, 3);
  ASSERT_TRUE(tails);
  EXPECT_EQ(versions_of((*tails)[0]), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(versions_of((*tails)[1]), (std::vector<std::int64_t>{1, 2}));
}

TEST_F(stream_tails_pgtest, reads_a_batch_larger_than_any_page_and_odd_stream_names) {
  event_store store({url()});
  std::vector<std::string> streams;
  for (int i = 0; i < 300; ++i) {
    streams.push_back("workspace-" + std::to_string(i) + (i % 2 ? "\"quoted,{brace}" : ""));
    ASSERT_TRUE(store.append(make_append(streams.back(), expected_version::no_stream, 1 + i % 3)));
  }
  auto tails = store.read_stream_tails(streams, std::nullopt, 10);
  ASSERT_TRUE(tails);
  ASSERT_EQ(tails->size(), streams.size());
  for (std::size_t i = 0; i < streams.size(); ++i) {
    EXPECT_EQ((*tails)[i].stream_id, streams[i]);
    EXPECT_EQ((*tails)[i].events.size(), 1 + i % 3) << streams[i];
    for (const auto& event : (*tails)[i].events)
      EXPECT_EQ(event.stream_id, streams[i]);
  }
}

}  // namespace
}  // namespace berth::events
