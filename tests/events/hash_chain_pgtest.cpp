#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "events/event_store.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/events/tamper.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using hash_chain_pgtest = testing::pg_test;

using testing::tamper;

TEST_F(hash_chain_pgtest, verifies_an_untouched_chain_across_many_appends) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::no_stream, 3)));
  auto with_body = make_append("workspace-1", 3);
  with_body.events[0].body = std::string("\x00\x1b[31mred\x1b[0m", 13);
  // jsonb re-spells numbers (1E2 → 100, 1e-300 → 0.000…1) and reorders keys: the chain
  // must still verify from what PostgreSQL gives back.
  with_body.events[0].data =
      R"({"z":1.50,"a":100.0,"n":{"y":[1E2,"\u00e9",1e-300,12345.678901234566e-300,)"
      R"(123456789012345678901234567890,-0.0]},"a":7})";
  ASSERT_TRUE(store.append(with_body));
  auto report = store.verify_stream("workspace-1");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->reason << " at " << report->first_broken_version.value_or(0);
  EXPECT_EQ(report->events_checked, 4);
}

TEST_F(hash_chain_pgtest, names_the_version_whose_data_was_changed_with_sql) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::no_stream, 5)));
  tamper(url(),
         "UPDATE es_events SET data = '{\"i\": 99}' WHERE stream_id = 'workspace-1' AND "
         "stream_version = 3");
  auto report = store.verify_stream("workspace-1");
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->first_broken_version, 3);
}

TEST_F(hash_chain_pgtest, names_a_removed_event) {
  event_store store({url()});
  ASSERT_TRUE(store.append(make_append("workspace-1", expected_version::no_stream, 5)));
  tamper(url(), "DELETE FROM es_events WHERE stream_id = 'workspace-1' AND stream_version = 2");
  auto report = store.verify_stream("workspace-1");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->first_broken_version, 2);
}

TEST_F(hash_chain_pgtest, names_a_changed_body_or_metadata) {
  event_store store({url()});
  auto request = make_append("session-1", expected_version::no_stream, 2);
  request.events[1].body = "output";
  ASSERT_TRUE(store.append(request));
  tamper(url(), "UPDATE es_events SET body = 'forged' WHERE stream_version = 2");
  EXPECT_EQ(store.verify_stream("session-1")->first_broken_version, 2);
  tamper(url(),
         "UPDATE es_events SET metadata = '{\"actor\":\"mallory\"}' WHERE stream_version = 1");
  EXPECT_EQ(store.verify_stream("session-1")->first_broken_version, 1);
}

}  // namespace
}  // namespace berth::events
