// The recorder's bounds on memory: what one append carries, of output and of input.

#include <gtest/gtest.h>

#include "actors/session_recorder.hpp"

namespace berth::actors {
namespace {

std::int64_t body_bytes(const session_batch& batch) {
  std::int64_t bytes = 0;
  for (const auto& event : batch.events)
    bytes += event.body ? static_cast<std::int64_t>(event.body->size()) : 0;
  return bytes;
}

TEST(session_recorder_limits, cuts_a_large_backlog_into_appends_of_bounded_output) {
  constexpr std::size_t batch_bytes = 64 * 1024;
  session_recorder recorder(batch_bytes, session_origin{}, 1, 0);
  const std::string chunk(batch_bytes, 'x');
  constexpr int chunks = 40;  // 2.5 MiB of backlog: 16 + 16 + 8 events of 64 KiB
  for (int i = 0; i < chunks; ++i) {
    ASSERT_TRUE(recorder.record_output(i * static_cast<std::int64_t>(batch_bytes), chunk));
  }
  std::int64_t version = 1;
  std::int64_t recorded = 0;
  int appends = 0;
  while (auto batch = recorder.take_batch()) {
    ++appends;
    const auto bytes = body_bytes(*batch);
    EXPECT_LE(bytes, max_append_bytes) << "append " << appends;
    EXPECT_EQ(batch->expected_version, version);
    ASSERT_FALSE(recorder.take_batch()) << "a second append while one is in flight";
    version += static_cast<std::int64_t>(batch->events.size());
    const auto commit = recorder.committed(version);
    ASSERT_FALSE(commit.chunks.empty());
    EXPECT_EQ(commit.chunks.front().offset, recorded) << "appends keep the output in order";
    recorded = commit.committed_end;
  }
  EXPECT_EQ(appends, 3);
  EXPECT_EQ(recorded, chunks * static_cast<std::int64_t>(batch_bytes));
  EXPECT_TRUE(recorder.idle());
}

TEST(session_recorder_limits, cuts_typed_input_into_appends_of_bounded_size) {
  constexpr std::size_t batch_bytes = 64 * 1024;
  session_recorder recorder(batch_bytes, session_origin{}, 1, 0);
  // 2.5 MiB typed while no append was made, as when clients type into a stalled keeper and
  // the link takes their input: one InputRecorded per 64 KiB, 16 + 16 + 8 per append.
  const std::string typed(batch_bytes, 'x');
  constexpr int frames = 40;
  for (int i = 0; i < frames; ++i)
    recorder.record_input(typed);
  std::int64_t version = 1;
  std::int64_t recorded = 0;
  int appends = 0;
  while (auto batch = recorder.take_batch()) {
    ++appends;
    const auto bytes = body_bytes(*batch);
    EXPECT_LE(bytes, max_append_bytes) << "append " << appends;
    recorded += bytes;
    version += static_cast<std::int64_t>(batch->events.size());
    recorder.committed(version);
  }
  EXPECT_EQ(appends, 3);
  EXPECT_EQ(recorded, frames * static_cast<std::int64_t>(batch_bytes)) << "nothing typed is lost";
  EXPECT_TRUE(recorder.idle());
}

// Input the store has not taken counts until its append commits (the actor holds its
// clients above max_unrecorded_input): open, pending, in flight, and again after a failure.
TEST(session_recorder_limits, counts_typed_input_until_it_is_committed) {
  constexpr std::size_t batch_bytes = 64 * 1024;
  session_recorder recorder(batch_bytes, session_origin{}, 1, 0);
  const std::string typed(batch_bytes, 'x');
  for (int i = 0; i < 24; ++i)  // 1.5 MiB: past the cap
    recorder.record_input(typed);
  ASSERT_TRUE(recorder.record_output(0, "output"));  // not input: not counted
  constexpr std::int64_t typed_bytes = 24 * 64 * 1024;
  EXPECT_EQ(recorder.unrecorded_input_bytes(), typed_bytes);
  EXPECT_GE(recorder.unrecorded_input_bytes(), max_unrecorded_input);

  auto batch = recorder.take_batch();  // 1 MiB of it in flight, the rest pending
  ASSERT_TRUE(batch);
  EXPECT_EQ(recorder.unrecorded_input_bytes(), typed_bytes);
  recorder.failed();  // the store is down: all of it still waits
  EXPECT_EQ(recorder.unrecorded_input_bytes(), typed_bytes);

  std::int64_t version = 1;
  while ((batch = recorder.take_batch())) {
    version += static_cast<std::int64_t>(batch->events.size());
    recorder.committed(version);
  }
  EXPECT_EQ(recorder.unrecorded_input_bytes(), 0);
  EXPECT_TRUE(recorder.idle());
}

}  // namespace
}  // namespace berth::actors
