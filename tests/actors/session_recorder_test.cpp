#include "actors/session_recorder.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace berth::actors {
namespace {

namespace ev = session_event;

using lines = std::vector<std::string>;

constexpr std::int64_t offset_max = std::numeric_limits<std::int64_t>::max();

session_origin system_origin() {
  session_origin origin;
  origin.node = "n1";
  return origin;
}

session_recorder recorder(std::size_t batch_bytes, std::int64_t version = 1,
                          std::int64_t committed_end = 0) {
  return session_recorder(batch_bytes, system_origin(), version, committed_end);
}

/// One line per event: its type and what tells it apart (offset and bytes, bytes, size).
lines outline(const session_batch& batch) {
  lines out;
  for (const auto& event : batch.events) {
    auto line = event.type;
    if (const auto offset = output_offset_of(event)) line += " " + std::to_string(*offset);
    if (event.body) line += " " + *event.body;
    if (event.type == "SessionResized") line += " " + event.data;
    out.push_back(line);
  }
  return out;
}

/// Each chunk as `[offset, end) @ version`.
lines spans(const std::vector<output_chunk>& chunks) {
  lines out;
  for (const auto& chunk : chunks) {
    out.push_back("[" + std::to_string(chunk.offset) + ", " + std::to_string(chunk.end) + ") @ " +
                  std::to_string(chunk.version));
  }
  return out;
}

void record_output(session_recorder& recorder, std::int64_t offset, std::string_view bytes) {
  ASSERT_TRUE(recorder.record_output(offset, bytes)) << offset;
}

TEST(session_recorder, cuts_output_into_events_of_at_most_batch_bytes) {
  auto r = recorder(4, 7);
  record_output(r, 0, "abcdef");
  record_output(r, 6, "ghij");
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(outline(*batch),
            (lines{"OutputRecorded 0 abcd", "OutputRecorded 4 efgh", "OutputRecorded 8 ij"}));
  EXPECT_EQ(batch->expected_version, 7);
  EXPECT_EQ(spans(batch->chunks), (lines{"[0, 4) @ 8", "[4, 8) @ 9", "[8, 10) @ 10"}));
  EXPECT_FALSE(batch->closes);
}

TEST(session_recorder, keeps_output_before_the_events_queued_after_it) {
  auto r = recorder(1024, 3);
  record_output(r, 0, "ab");
  r.record(ev::client_attached{"c1", "u1", ""}, {});
  record_output(r, 2, "cd");
  r.record(ev::resized{100, 30}, {});
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(outline(*batch), (lines{"OutputRecorded 0 ab", "ClientAttached", "OutputRecorded 2 cd",
                                    R"(SessionResized {"cols":100,"rows":30})"}));
  // Each output event's version is its place in the stream, events between counted.
  EXPECT_EQ(spans(batch->chunks), (lines{"[0, 2) @ 4", "[2, 4) @ 6"}));
}

TEST(session_recorder, keeps_input_and_output_in_the_order_they_came) {
  auto r = recorder(1024);
  r.record_input("l");
  r.record_input("s");
  record_output(r, 0, "ls");
  r.record_input("\r");
  record_output(r, 2, "\r\n");
  r.record(ev::resized{80, 24}, {});
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(outline(*batch),
            (lines{"InputRecorded ls", "OutputRecorded 0 ls", "InputRecorded \r",
                   "OutputRecorded 2 \r\n", R"(SessionResized {"cols":80,"rows":24})"}));
  EXPECT_EQ(batch->events[0].data, R"({"length":2})");
}

TEST(session_recorder, coalesces_input_only_up_to_batch_bytes) {
  auto r = recorder(4);
  r.record_input("ab");
  r.record_input("cd");
  r.record_input("e");
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(outline(*batch), (lines{"InputRecorded abcd", "InputRecorded e"}));
}

TEST(session_recorder, starts_new_input_after_an_event_or_a_batch) {
  auto r = recorder(1024);
  r.record_input("a");
  r.record(ev::renamed{"x"}, {});
  r.record_input("b");
  const auto first = r.take_batch();
  ASSERT_TRUE(first);
  EXPECT_EQ(outline(*first), (lines{"InputRecorded a", "SessionRenamed", "InputRecorded b"}));
  r.committed(4);
  r.record_input("c");
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(outline(*batch), (lines{"InputRecorded c"}));
}

TEST(session_recorder, has_nothing_to_take_when_nothing_is_pending) {
  auto r = recorder(1024);
  EXPECT_TRUE(r.idle());
  EXPECT_FALSE(r.take_batch());
  r.record_input("");
  ASSERT_TRUE(r.record_output(0, ""));
  EXPECT_FALSE(r.take_batch());
  EXPECT_TRUE(r.idle());
}

TEST(session_recorder, refuses_a_second_batch_while_one_is_in_flight) {
  auto r = recorder(1024, 1);
  record_output(r, 0, "ab");
  ASSERT_TRUE(r.take_batch());
  EXPECT_TRUE(r.in_flight());
  record_output(r, 2, "cd");
  EXPECT_FALSE(r.take_batch());
  EXPECT_FALSE(r.idle());
  r.committed(2);
  const auto next = r.take_batch();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->expected_version, 2);
  EXPECT_EQ(outline(*next), (lines{"OutputRecorded 2 cd"}));
}

TEST(session_recorder, puts_a_failed_batch_back_before_what_came_since) {
  auto r = recorder(1024, 5);
  record_output(r, 0, "ab");
  r.record(ev::client_attached{"c1", "u1", ""}, {});
  const auto first = r.take_batch();
  ASSERT_TRUE(first);
  r.record(ev::resized{90, 20}, {});
  record_output(r, 2, "cd");
  r.failed();
  EXPECT_FALSE(r.in_flight());
  const auto retry = r.take_batch();
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->expected_version, 5);
  EXPECT_EQ(outline(*retry),
            (lines{"OutputRecorded 0 ab", "ClientAttached",
                   R"(SessionResized {"cols":90,"rows":20})", "OutputRecorded 2 cd"}));
  // The same ids again: an append that did land is not recorded twice.
  EXPECT_EQ(retry->events[0].event_id, first->events[0].event_id);
  EXPECT_EQ(retry->events[1].event_id, first->events[1].event_id);
  EXPECT_EQ(spans(retry->chunks), (lines{"[0, 2) @ 6", "[2, 4) @ 9"}));
}

TEST(session_recorder, commits_advance_the_version_and_the_recorded_end) {
  auto r = recorder(4, 7, 100);
  record_output(r, 100, "hello");
  r.record(ev::renamed{"x"}, {});
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  const lines expected{"[100, 104) @ 8", "[104, 105) @ 9"};
  EXPECT_EQ(spans(batch->chunks), expected);
  EXPECT_EQ(r.committed_end(), 100);
  const auto commit = r.committed(10);
  EXPECT_EQ(r.version(), 10);
  EXPECT_EQ(commit.committed_end, 105);
  EXPECT_EQ(r.committed_end(), 105);
  EXPECT_EQ(spans(commit.chunks), expected);
  EXPECT_TRUE(r.idle());
  r.record(ev::client_detached{"c1", "u1", ""}, {});  // no output: the end stays
  ASSERT_TRUE(r.take_batch());
  EXPECT_EQ(r.committed(11).committed_end, 105);
  EXPECT_EQ(r.version(), 11);
}

TEST(session_recorder, names_the_version_the_newest_received_event_will_have) {
  auto r = recorder(4, 7);
  EXPECT_EQ(r.received_version(), 7);  // nothing waits: the committed version
  record_output(r, 0, "abcdef");       // an open run, to be cut into two events
  EXPECT_EQ(r.received_version(), 9);
  record_output(r, 6, "gh");  // fills the second event: the newest byte's event is the same
  EXPECT_EQ(r.received_version(), 9);
  r.record(ev::resized{90, 20}, {});
  EXPECT_EQ(r.received_version(), 10);
  r.record_input("ls");
  EXPECT_EQ(r.received_version(), 11);
  r.record_input("\r");  // joins the open input
  EXPECT_EQ(r.received_version(), 11);
  ASSERT_TRUE(r.take_batch());
  EXPECT_EQ(r.received_version(), 11);  // in flight still counts
  record_output(r, 8, "ij");
  EXPECT_EQ(r.received_version(), 12);
  r.failed();  // retried in the same order at the same expected version
  EXPECT_EQ(r.received_version(), 12);
  const auto retry = r.take_batch();
  ASSERT_TRUE(retry);
  EXPECT_EQ(spans(retry->chunks), (lines{"[0, 4) @ 8", "[4, 8) @ 9", "[8, 10) @ 12"}));
  r.committed(12);
  EXPECT_EQ(r.received_version(), 12);
}

TEST(session_recorder, names_where_its_newest_byte_lands_while_appends_carry_part_of_it) {
  auto r = recorder(64 * 1024, 1);
  const std::string quarter(256 * 1024, 'a');
  std::int64_t received = 0;
  while (!r.over_backlog()) {
    record_output(r, received, quarter);
    received += static_cast<std::int64_t>(quarter.size());
  }
  const auto named = r.received_version();
  // A megabyte an append: the byte received last lands at the version named before.
  std::vector<output_chunk> landed;
  int appends = 0;
  while (auto batch = r.take_batch()) {
    ++appends;
    landed.insert(landed.end(), batch->chunks.begin(), batch->chunks.end());
    r.committed(batch->expected_version + static_cast<std::int64_t>(batch->events.size()));
  }
  EXPECT_GT(appends, 4);
  ASSERT_FALSE(landed.empty());
  EXPECT_EQ(landed.back().end, received);
  EXPECT_EQ(landed.back().version, named);
  EXPECT_EQ(r.version(), named);
}

TEST(session_recorder, marks_the_batch_holding_the_close) {
  auto r = recorder(1024);
  record_output(r, 0, "bye");
  r.record(ev::closed{"exited", 0, false}, {});
  r.record(ev::renamed{"after"}, {});
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->closes);
  EXPECT_EQ(outline(*batch), (lines{"OutputRecorded 0 bye", "SessionClosed", "SessionRenamed"}));
}

TEST(session_recorder, gives_events_their_origin) {
  auto r = recorder(1024);
  record_output(r, 0, "x");
  r.record(ev::renamed{"y"}, session_origin{"u1", "10.0.0.1", "", "", ""});
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->events[0].metadata, R"({"actor":"system","node":"n1"})");
  EXPECT_EQ(batch->events[1].metadata, R"({"actor":"u1","remote_address":"10.0.0.1"})");
}

TEST(session_recorder, wants_a_flush_once_a_full_event_of_output_is_pending) {
  auto r = recorder(4);
  record_output(r, 0, "abc");
  EXPECT_FALSE(r.wants_flush_now());
  record_output(r, 3, "d");
  EXPECT_TRUE(r.wants_flush_now());
  ASSERT_TRUE(r.take_batch());
  EXPECT_FALSE(r.wants_flush_now());
  record_output(r, 4, "efgh");
  r.record(ev::resized{1, 1}, {});  // cut into an event, still pending
  EXPECT_TRUE(r.wants_flush_now());
}

TEST(session_recorder, starts_a_new_event_after_a_gap_in_the_output) {
  auto r = recorder(1024);
  record_output(r, 0, "ab");
  record_output(r, 10, "cd");
  EXPECT_EQ(r.received_end(), 12);
  EXPECT_EQ(r.unrecorded_bytes(), 4);
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(outline(*batch), (lines{"OutputRecorded 0 ab", "OutputRecorded 10 cd"}));
  EXPECT_EQ(r.committed(3).committed_end, 12);
}

TEST(session_recorder, bounds_the_output_received_and_not_recorded) {
  auto r = recorder(64 * 1024);
  const std::string block(max_unrecorded_output / 4, 'x');
  for (std::int64_t i = 0; i < 4; ++i)
    record_output(r, i * static_cast<std::int64_t>(block.size()), block);
  EXPECT_EQ(r.unrecorded_bytes(), max_unrecorded_output);
  EXPECT_FALSE(r.over_backlog());
  record_output(r, max_unrecorded_output, "y");
  EXPECT_TRUE(r.over_backlog());
  ASSERT_TRUE(r.take_batch());
  EXPECT_TRUE(r.over_backlog()) << "output in flight is not recorded yet";
  r.failed();
  EXPECT_EQ(r.unrecorded_bytes(), max_unrecorded_output + 1);
  std::int64_t version = 1;
  while (auto batch = r.take_batch()) {  // appends of at most max_append_bytes each
    version += static_cast<std::int64_t>(batch->events.size());
    r.committed(version);
  }
  EXPECT_EQ(r.unrecorded_bytes(), 0);
  EXPECT_FALSE(r.over_backlog());
}

TEST(session_recorder, refuses_output_ending_past_the_largest_offset) {
  auto r = recorder(1024, 1, offset_max - 10);
  EXPECT_FALSE(r.record_output(offset_max - 2, "abc"));
  EXPECT_FALSE(r.record_output(offset_max, "a"));
  EXPECT_TRUE(r.idle());
  EXPECT_TRUE(r.record_output(offset_max - 2, "ab"));
  EXPECT_EQ(r.received_end(), offset_max);
  EXPECT_FALSE(r.record_output(offset_max, "a"));
  const auto batch = r.take_batch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->chunks.at(0).end, offset_max);
  EXPECT_EQ(r.committed(2).committed_end, offset_max);
}

TEST(session_recorder, refuses_output_before_what_it_received) {
  auto r = recorder(1024, 1, 100);
  EXPECT_FALSE(r.record_output(99, "ab"));
  EXPECT_FALSE(r.record_output(-5, "ab"));
  EXPECT_FALSE(r.record_output(std::numeric_limits<std::int64_t>::min(), "ab"));
  record_output(r, 100, "ab");
  EXPECT_FALSE(r.record_output(101, "b"));
  EXPECT_EQ(r.unrecorded_bytes(), 2);
}

}  // namespace
}  // namespace berth::actors
