#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "events/event_store.hpp"
#include "events/uuid.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using feed_pgtest = testing::pg_test;

/// Inserts one event for a new stream inside `tx` and returns its global position.
std::int64_t insert_raw_event(pqxx::work& tx, const std::string& stream) {
  tx.exec_params(
      "INSERT INTO es_streams (stream_id, stream_type, version, last_hash) "
      "VALUES ($1, 'test', 1, '\\x00')",
      stream);
  return tx
      .exec_params1(
          "INSERT INTO es_events (stream_id, stream_version, event_id, event_type, "
          "data, metadata, hash) VALUES ($1, 1, $2, 'Raw', '{}', '{}', '\\x00') "
          "RETURNING global_pos",
          stream, make_uuid_v7())[0]
      .as<std::int64_t>();
}

TEST_F(feed_pgtest, delivers_both_events_when_transactions_commit_out_of_position_order) {
  event_store store({url()});
  pqxx::connection first_writer(url());
  pqxx::connection second_writer(url());
  pqxx::work first(first_writer);
  pqxx::work second(second_writer);
  const auto first_position = insert_raw_event(first, "a-1");
  const auto second_position = insert_raw_event(second, "b-1");
  ASSERT_LT(first_position, second_position);
  second.commit();

  // A reader ordering by position alone would now see b-1, move past first_position and
  // never deliver a-1. The feed holds back everything at or after the open transaction.
  auto between = store.read_feed({});
  ASSERT_TRUE(between) << between.error().message;
  EXPECT_TRUE(between->events.empty());
  EXPECT_EQ(between->next, feed_checkpoint{});

  first.commit();
  std::vector<recorded_event> delivered;
  ASSERT_TRUE(testing::wait_until([&] {
    auto page = store.read_feed(between->next);
    if (!page) return false;
    delivered = page->events;
    return delivered.size() == 2;
  }));
  EXPECT_EQ(delivered[0].stream_id, "a-1");
  EXPECT_EQ(delivered[1].stream_id, "b-1");
  EXPECT_LT(delivered[0].transaction_id, delivered[1].transaction_id);

  auto again = store.read_feed({});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->events.size(), 2u);
  EXPECT_EQ(again->events[0].event_id, delivered[0].event_id);
  EXPECT_EQ(again->events[1].event_id, delivered[1].event_id);
  EXPECT_TRUE(store.read_feed(again->next)->events.empty());
}

TEST_F(feed_pgtest, leaves_bodies_to_stream_reads) {
  event_store store({url()});
  new_event output{make_uuid_v7(), "OutputRecorded", 1, R"({"offset":0,"length":5})", "hello"};
  ASSERT_TRUE(store.append({"session-s1", "session", expected_version::no_stream, {output}}));
  std::vector<recorded_event> fed;
  ASSERT_TRUE(testing::wait_until([&] {
    auto page = store.read_feed({});
    if (page) fed = page->events;
    return fed.size() == 1;
  }));
  EXPECT_EQ(fed[0].type, "OutputRecorded");
  EXPECT_FALSE(fed[0].body) << "the feed carried terminal bytes";
  auto stream = store.read_stream("session-s1", 1, 10);
  ASSERT_TRUE(stream);
  ASSERT_EQ(stream->size(), 1u);
  EXPECT_EQ((*stream)[0].body, "hello");
}

TEST_F(feed_pgtest, pages_through_the_feed_from_a_checkpoint) {
  event_store store({url()});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.append(
        make_append("workspace-" + std::to_string(i), expected_version::no_stream, 3)));
  }
  std::vector<std::string> seen;
  feed_checkpoint checkpoint;
  ASSERT_TRUE(testing::wait_until([&] {
    auto page = store.read_feed(checkpoint, 4);
    if (!page) return false;
    for (const auto& event : page->events)
      seen.push_back(event.event_id);
    checkpoint = page->next;
    return seen.size() == 15;
  }));
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 15u);
}

}  // namespace
}  // namespace berth::events
