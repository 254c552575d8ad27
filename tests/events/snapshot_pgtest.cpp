#include <gtest/gtest.h>

#include "events/event_store.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::events {
namespace {

using snapshot_pgtest = testing::pg_test;

TEST_F(snapshot_pgtest, loads_the_newest_snapshot_of_the_running_fold_version) {
  event_store store({url()});
  ASSERT_TRUE(store.save_snapshot({"workspace-1", 10, 2, "state at 10"}));
  ASSERT_TRUE(store.save_snapshot({"workspace-1", 20, 2, std::string("state\0at 20", 11)}));
  auto loaded = store.load_snapshot("workspace-1", 2);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->stream_version, 20);
  EXPECT_EQ((*loaded)->state, std::string("state\0at 20", 11));
}

TEST_F(snapshot_pgtest, ignores_snapshots_written_by_other_fold_code) {
  event_store store({url()});
  ASSERT_TRUE(store.save_snapshot({"workspace-1", 10, 1, "old layout"}));
  auto loaded = store.load_snapshot("workspace-1", 2);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(snapshot_pgtest, keeps_the_newer_snapshot_when_an_older_one_arrives_late) {
  event_store store({url()});
  ASSERT_TRUE(store.save_snapshot({"workspace-1", 20, 1, "newer"}));
  ASSERT_TRUE(store.save_snapshot({"workspace-1", 10, 1, "older"}));
  EXPECT_EQ((*store.load_snapshot("workspace-1", 1))->state, "newer");
}

}  // namespace
}  // namespace berth::events
