// `audit verify` over a real event store: untouched chains hold, and a row changed with SQL is
// named by stream and version, alone.

#include "audit/chain_verifier.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "events/event_store.hpp"
#include "tests/events/event_helpers.hpp"
#include "tests/events/tamper.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::audit {
namespace {

using chain_verifier_pgtest = testing::pg_test;

using testing::tamper;

/// Three streams of 5, 4 and 6 events; the middle one appended in two batches.
void append_three_streams(events::event_store& store) {
  using events::make_append;
  ASSERT_TRUE(store.append(make_append("workspace-a", events::expected_version::no_stream, 5)));
  ASSERT_TRUE(store.append(make_append("workspace-b", events::expected_version::no_stream, 2)));
  ASSERT_TRUE(store.append(make_append("user-c", events::expected_version::no_stream, 6)));
  ASSERT_TRUE(store.append(make_append("workspace-b", 2, 2)));
}

TEST_F(chain_verifier_pgtest, reports_ok_for_untouched_chains_with_every_event_counted) {
  events::event_store store({url()});
  append_three_streams(store);
  const auto verification = verify_chains(store);
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_TRUE(verification->ok());
  EXPECT_EQ(verification->streams, 3);
  EXPECT_EQ(verification->events, 15);
  EXPECT_EQ(boost::json::serialize(verification_json(*verification)),
            R"({"ok":true,"streams":3,"events":15,"broken":[]})");
}

TEST_F(chain_verifier_pgtest, names_the_one_stream_and_version_whose_data_was_changed) {
  events::event_store store({url()});
  append_three_streams(store);
  tamper(url(),
         "UPDATE es_events SET data = '{\"i\": 99}' WHERE stream_id = 'workspace-b' AND "
         "stream_version = 3");
  const auto verification = verify_chains(store);
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_FALSE(verification->ok());
  EXPECT_EQ(verification->streams, 3);
  EXPECT_EQ(verification->events, 15);
  ASSERT_EQ(verification->broken.size(), 1u);
  EXPECT_EQ(verification->broken[0].stream_id, "workspace-b");
  EXPECT_EQ(verification->broken[0].version, 3);
  EXPECT_EQ(verification->broken[0].reason, "hash does not match the event's content");
  EXPECT_EQ(boost::json::serialize(verification_json(*verification)),
            R"({"ok":false,"streams":3,"events":15,"broken":[{"stream_id":"workspace-b",)"
            R"("version":3,"reason":"hash does not match the event's content"}]})");
}

TEST_F(chain_verifier_pgtest, names_a_link_that_no_longer_points_at_the_previous_event) {
  events::event_store store({url()});
  append_three_streams(store);
  // The event itself still hashes to what is stored only if prev_hash is left alone; a new
  // link breaks both, and the link is what is named first.
  tamper(url(),
         "UPDATE es_events SET prev_hash = sha256('forged'::bytea) WHERE stream_id = 'user-c' "
         "AND stream_version = 4");
  const auto verification = verify_chains(store);
  ASSERT_TRUE(verification) << verification.error().message;
  ASSERT_EQ(verification->broken.size(), 1u);
  EXPECT_EQ(verification->broken[0].stream_id, "user-c");
  EXPECT_EQ(verification->broken[0].version, 4);
  EXPECT_EQ(verification->broken[0].reason, "prev_hash link broken");
}

TEST_F(chain_verifier_pgtest, lists_every_broken_stream_in_stream_order) {
  events::event_store store({url()});
  append_three_streams(store);
  tamper(url(),
         "UPDATE es_events SET event_type = 'Forged' WHERE stream_id = 'workspace-a' AND "
         "stream_version = 5");
  tamper(url(), "DELETE FROM es_events WHERE stream_id = 'user-c' AND stream_version = 2");
  const auto verification = verify_chains(store);
  ASSERT_TRUE(verification) << verification.error().message;
  ASSERT_EQ(verification->broken.size(), 2u);
  EXPECT_EQ(verification->broken[0].stream_id, "user-c");
  EXPECT_EQ(verification->broken[0].version, 2);
  EXPECT_EQ(verification->broken[0].reason, "event missing");
  EXPECT_EQ(verification->broken[1].stream_id, "workspace-a");
  EXPECT_EQ(verification->broken[1].version, 5);
}

}  // namespace
}  // namespace berth::audit
