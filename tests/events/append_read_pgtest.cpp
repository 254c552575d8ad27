#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "events/event_store.hpp"
#include "events/pg_connection.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using event_store_pgtest = testing::pg_test;

TEST_F(event_store_pgtest, sends_bytea_arrays_as_postgresql_reads_them) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b)
    every_byte.push_back(static_cast<char>(b));
  bytea_array array;
  array.add(every_byte);
  array.add_null();
  array.add("");
  pqxx::connection connection(url());
  pqxx::work tx(connection);
  const auto row = tx.exec_params1(
      "SELECT array_length(a, 1), encode(a[1], 'hex'), a[2] IS NULL, length(a[3]) "
      "FROM (SELECT $1::bytea[] AS a) AS given",
      std::move(array).finish());
  std::string hex;
  for (int b = 0; b < 256; ++b) {
    static constexpr char digits[] = "0123456789abcdef";
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0x0f]);
  }
  EXPECT_EQ(row[0].as<int>(), 3);
  EXPECT_EQ(row[1].as<std::string>(), hex);
  EXPECT_TRUE(row[2].as<bool>());
  EXPECT_EQ(row[3].as<int>(), 0);
  EXPECT_TRUE(
      tx.exec_params1("SELECT cardinality($1::bytea[]) = 0", bytea_array{}.finish())[0].as<bool>());
}

TEST_F(event_store_pgtest, appends_and_reads_back_events_with_binary_bodies) {
  event_store store({url()});
  const std::string body("\x00\x01\xff terminal bytes \r\n", 20);
  append_request request{"session-1", "", expected_version::no_stream, {}};
  request.events.push_back(make_event("OutputRecorded", R"({"offset":0,"b":[1,2]})", body));
  request.events.push_back(make_event("Resized", R"({"cols":80,"rows":24})"));
  auto appended = store.append(request);
  ASSERT_TRUE(appended) << appended.error().message;
  EXPECT_EQ(appended->first_version, 1);
  EXPECT_EQ(appended->last_version, 2);
  ASSERT_EQ(appended->global_positions.size(), 2u);
  EXPECT_LT(appended->global_positions[0], appended->global_positions[1]);
  EXPECT_FALSE(appended->already_appended);

  auto events = store.read_stream("session-1");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  const auto& first = (*events)[0];
  EXPECT_EQ(first.stream_version, 1);
  EXPECT_EQ(first.event_id, request.events[0].event_id);
  EXPECT_EQ(first.type, "OutputRecorded");
  EXPECT_EQ(first.body, body);
  EXPECT_EQ(first.data, R"({"b": [1, 2], "offset": 0})");
  EXPECT_EQ(first.metadata, R"({"actor": "test"})");
  EXPECT_EQ(first.global_position, appended->global_positions[0]);
  EXPECT_FALSE((*events)[1].body.has_value());
  EXPECT_EQ(*store.stream_version("session-1"), 2);
}

TEST_F(event_store_pgtest, reads_and_folds_a_stream_without_its_bodies_when_asked) {
  event_store store({url()});
  append_request request{"session-1", "", expected_version::no_stream, {}};
  request.events.push_back(make_event("OutputRecorded", R"({"offset":0})", "terminal bytes"));
  request.events.push_back(make_event("OutputRecorded", R"({"offset":14})", "more"));
  ASSERT_TRUE(store.append(request));
  auto without = store.read_stream("session-1", 2, 10, bodies::left_out);
  ASSERT_TRUE(without);
  ASSERT_EQ(without->size(), 1u);
  EXPECT_EQ((*without)[0].stream_version, 2);
  EXPECT_EQ((*without)[0].data, R"({"offset": 14})");
  EXPECT_FALSE((*without)[0].body) << "the body was read";
  std::vector<std::optional<std::string>> folded;
  ASSERT_TRUE(store.fold_stream(
      "session-1", 1, [&](const recorded_event& event) { folded.push_back(event.body); },
      bodies::left_out));
  EXPECT_EQ(folded, (std::vector<std::optional<std::string>>{std::nullopt, std::nullopt}));
  // The default still carries them.
  EXPECT_EQ((*store.read_stream("session-1"))[0].body, "terminal bytes");
}

TEST_F(event_store_pgtest, reads_a_stream_from_a_version_with_a_limit) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::no_stream, 10)));
  auto events = store.read_stream("workspace-1", 4, 3);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].stream_version, 4);
  EXPECT_EQ((*events)[2].stream_version, 6);
  EXPECT_TRUE(store.read_stream("workspace-unknown")->empty());
  EXPECT_EQ(*store.stream_version("workspace-unknown"), 0);
}

TEST_F(event_store_pgtest, reports_a_stale_expected_version_as_a_conflict_with_the_actual_one) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::no_stream, 3)));
  auto stale = store.append(make_append("workspace-1", 2));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, error_code::concurrency_conflict);
  EXPECT_EQ(stale.error().actual_version, 3);
  auto exists = store.append(make_append("workspace-1", expected_version::no_stream));
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code, error_code::concurrency_conflict);
  auto missing = store.append(make_append("workspace-2", 5));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().actual_version, 0);
  EXPECT_EQ(store.read_stream("workspace-1")->size(), 3u);
  EXPECT_EQ(*store.stream_version("workspace-2"), 0);
}

TEST_F(event_store_pgtest, appends_at_any_version_when_asked_to) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("user-1", expected_version::any)));
  auto second = store.append(make_append("user-1", expected_version::any, 2));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->first_version, 2);
  EXPECT_EQ(second->last_version, 3);
}

TEST_F(event_store_pgtest, treats_a_repeated_append_of_the_same_event_ids_as_a_no_op) {
  event_store store({url()});
  const auto request = make_append("workspace-1", expected_version::no_stream, 2);
  auto first = store.append(request);
  ASSERT_TRUE(first);
  auto again = store.append(request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->already_appended);
  EXPECT_EQ(again->global_positions, first->global_positions);
  EXPECT_EQ(again->first_version, 1);
  EXPECT_EQ(again->last_version, 2);
  EXPECT_EQ(store.read_stream("workspace-1")->size(), 2u);
}

TEST_F(event_store_pgtest, rejects_an_append_that_reuses_only_some_stored_event_ids) {
  event_store store({url()});
  const auto request = make_append("workspace-1", expected_version::no_stream, 1);
  ASSERT_TRUE(store.append(request));
  auto mixed = make_append("workspace-1", 1, 1);
  mixed.events.push_back(request.events[0]);
  auto outcome = store.append(mixed);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, error_code::invalid_argument);
  EXPECT_EQ(*store.stream_version("workspace-1"), 1);
}

TEST_F(event_store_pgtest, rejects_malformed_appends_without_writing) {
  event_store store({url()});
  auto bad_json = make_append("workspace-1", expected_version::no_stream);
  bad_json.events[0].data = "{not json";
  EXPECT_EQ(store.append(bad_json).error().code, error_code::invalid_argument);
  auto bad_id = make_append("workspace-1", expected_version::no_stream);
  bad_id.events[0].event_id = "not-a-uuid";
  EXPECT_EQ(store.append(bad_id).error().code, error_code::invalid_argument);
  EXPECT_EQ(store.append(make_append("", expected_version::any)).error().code,
            error_code::invalid_argument);
  append_request empty{"workspace-1", "", expected_version::any, {}};
  EXPECT_EQ(store.append(empty).error().code, error_code::invalid_argument);
  EXPECT_EQ(*store.stream_version("workspace-1"), 0);
}

TEST_F(event_store_pgtest, refuses_to_update_or_delete_stored_events) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::no_stream)));
  pqxx::connection c(url());
  pqxx::work tx(c);
  EXPECT_THROW(tx.exec0("DELETE FROM es_events"), pqxx::sql_error);
}

TEST_F(event_store_pgtest, wakes_a_listener_when_events_are_appended) {
  event_store store({url()});
  notification_listener listener(url());
  auto quiet = listener.wait(std::chrono::milliseconds(50));
  ASSERT_TRUE(quiet) << quiet.error().message;
  EXPECT_FALSE(*quiet);
  std::thread writer(
      [&] { ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::any))); });
  bool woken = false;
  testing::wait_until([&] {
    auto got = listener.wait(std::chrono::milliseconds(200));
    woken = got && *got;
    return woken;
  });
  writer.join();
  EXPECT_TRUE(woken);
}

}  // namespace
}  // namespace berth::events
