#include <gtest/gtest.h>

#include <string>

#include "actors/screen_keyframe.hpp"
#include "actors/screen_model.hpp"
#include "actors/session_recorder.hpp"

namespace berth::actors {
namespace {

screen_keyframe sample() {
  return {123'456'789'012, 42, 30, 120, std::string("\x1b[H\x1b[2Jhello\xff\x00world", 19)};
}

TEST(screen_keyframe, round_trips_through_its_stored_form_with_any_bytes) {
  const auto keyframe = sample();
  EXPECT_EQ(decode_keyframe(encode_keyframe(keyframe)), keyframe);
  screen_keyframe empty{0, 1, 1, 1, ""};
  EXPECT_EQ(decode_keyframe(encode_keyframe(empty)), empty);
}

TEST(screen_keyframe, refuses_what_it_did_not_write) {
  const auto stored = encode_keyframe(sample());
  EXPECT_FALSE(decode_keyframe(""));
  EXPECT_FALSE(decode_keyframe(stored.substr(0, 27)));  // one byte short of the header
  EXPECT_FALSE(decode_keyframe("BKF2" + stored.substr(4)));
  const auto with = [&](screen_keyframe changed) {
    return decode_keyframe(encode_keyframe(changed));
  };
  auto keyframe = sample();
  keyframe.offset = -1;
  EXPECT_FALSE(with(keyframe));
  keyframe = sample();
  keyframe.version = 0;
  EXPECT_FALSE(with(keyframe));
  keyframe = sample();
  keyframe.rows = 0;
  EXPECT_FALSE(with(keyframe));
  keyframe = sample();
  keyframe.cols = screen_model::max_dimension + 1;
  EXPECT_FALSE(with(keyframe));
  keyframe = sample();
  keyframe.vt.assign(max_keyframe_vt_bytes + 1, 'x');
  EXPECT_FALSE(with(keyframe));
  keyframe.vt.resize(max_keyframe_vt_bytes);
  EXPECT_TRUE(with(keyframe));
}

TEST(screen_keyframe, is_due_every_interval_and_less_often_on_the_alternate_screen) {
  EXPECT_FALSE(keyframe_due(keyframe_interval - 1, false));
  EXPECT_TRUE(keyframe_due(keyframe_interval, false));
  EXPECT_FALSE(keyframe_due(keyframe_interval, true));
  EXPECT_TRUE(keyframe_due(keyframe_interval_on_alt_screen, true));
}

TEST(keyframe_cadence, looks_every_interval_and_holds_a_keyframe_until_its_version_commits) {
  keyframe_cadence cadence;
  EXPECT_FALSE(cadence.worth_looking(keyframe_interval - 1));
  ASSERT_TRUE(cadence.worth_looking(keyframe_interval));
  ASSERT_TRUE(cadence.due(keyframe_interval, false));
  cadence.hold({keyframe_interval, 9, 24, 80, "screen"});
  EXPECT_TRUE(cadence.holding());
  // One held: none is taken, however much output follows.
  EXPECT_FALSE(cadence.worth_looking(3 * keyframe_interval));
  EXPECT_FALSE(cadence.take_committed(8));
  const auto saved = cadence.take_committed(9);
  ASSERT_TRUE(saved);
  EXPECT_EQ(*saved, (screen_keyframe{keyframe_interval, 9, 24, 80, "screen"}));
  EXPECT_FALSE(cadence.holding());
  EXPECT_FALSE(cadence.take_committed(20));
  // The next an interval after the one held, at once when that is already behind.
  EXPECT_FALSE(cadence.worth_looking(2 * keyframe_interval - 1));
  EXPECT_TRUE(cadence.worth_looking(3 * keyframe_interval));
}

TEST(keyframe_cadence, looks_again_an_interval_later_when_on_the_alternate_screen) {
  keyframe_cadence cadence(5 * keyframe_interval);  // recovered from a keyframe there
  EXPECT_FALSE(cadence.worth_looking(6 * keyframe_interval - 1));
  ASSERT_TRUE(cadence.worth_looking(6 * keyframe_interval));
  EXPECT_FALSE(cadence.due(6 * keyframe_interval, true));
  EXPECT_FALSE(cadence.worth_looking(7 * keyframe_interval - 1));
  ASSERT_TRUE(cadence.worth_looking(7 * keyframe_interval));
  EXPECT_TRUE(cadence.due(7 * keyframe_interval, false));  // back on the primary screen
  EXPECT_TRUE(cadence.due(5 * keyframe_interval + keyframe_interval_on_alt_screen, true));
}

// A flood as the session actor records it: the keeper sends until the backlog is full, each
// append carries a megabyte of it, and the screen has seen everything received whenever a
// keyframe is looked for. Keyframes keep up, and each names exactly the event its last
// byte landed in.
TEST(keyframe_cadence, keeps_up_with_a_flood_appended_a_megabyte_at_a_time) {
  session_recorder recorder(64 * 1024, session_origin{}, 1, 0);
  keyframe_cadence cadence;
  const std::string quarter(256 * 1024, 'a');
  std::int64_t received = 0;
  std::vector<output_chunk> index;
  std::vector<screen_keyframe> saved;
  for (int append = 0; append < 200; ++append) {
    while (!recorder.over_backlog()) {
      ASSERT_TRUE(recorder.record_output(received, quarter));
      received += static_cast<std::int64_t>(quarter.size());
    }
    auto batch = recorder.take_batch();
    ASSERT_TRUE(batch);
    ASSERT_TRUE(recorder.has_pending());  // never an append holding everything
    if (cadence.worth_looking(received) && cadence.due(received, false))
      cadence.hold({received, recorder.received_version(), 24, 80, ""});
    const auto commit = recorder.committed(batch->expected_version +
                                           static_cast<std::int64_t>(batch->events.size()));
    index.insert(index.end(), commit.chunks.begin(), commit.chunks.end());
    if (auto ready = cadence.take_committed(recorder.version())) saved.push_back(*ready);
    if (append < 10) continue;
    // What a recovery would feed now: from the newest saved keyframe to the committed end.
    ASSERT_FALSE(saved.empty()) << append;
    EXPECT_LE(recorder.committed_end() - saved.back().offset,
              keyframe_interval + max_unrecorded_output)
        << append;
  }
  EXPECT_GE(saved.size(), 200u / 8);
  for (const auto& keyframe : saved) {
    const auto holding = chunk_holding(index, keyframe.offset - 1);
    ASSERT_LT(holding, index.size());
    EXPECT_EQ(index[holding].version, keyframe.version) << keyframe.offset;
    EXPECT_EQ(index[holding].end, keyframe.offset);
  }
}

// Output in 100-byte events at versions 2.. (version 1 opened the session).
session_state with_output(int events) {
  session_state state;
  state.version = 1 + events;
  for (int i = 0; i < events; ++i)
    state.output_index.push_back({i * 100, (i + 1) * 100, 2 + i});
  state.output_end = events * 100;
  return state;
}

TEST(screen_keyframe, recovery_without_a_keyframe_reads_everything) {
  const auto plan = plan_recovery_read(with_output(50), std::nullopt, 1000);
  EXPECT_FALSE(plan.from_keyframe);
  EXPECT_EQ(plan.from_version, 1);
  EXPECT_EQ(plan.feed_from, 0);
  EXPECT_EQ(plan.tail_from, 4000);
}

TEST(screen_keyframe, recovery_reads_from_the_keyframe_or_the_window_whichever_is_older) {
  const auto state = with_output(50);
  // Keyframe at offset 4550 (inside the event at version 47), taken with version 47 committed.
  auto plan = plan_recovery_read(state, screen_keyframe{4550, 47, 24, 80, ""}, 200);
  EXPECT_TRUE(plan.from_keyframe);
  EXPECT_EQ(plan.feed_from, 4550);
  EXPECT_EQ(plan.tail_from, 4800);
  EXPECT_EQ(plan.from_version, 47);
  // A window reaching further back than the keyframe decides where to read from.
  plan = plan_recovery_read(state, screen_keyframe{4550, 47, 24, 80, ""}, 1000);
  EXPECT_EQ(plan.from_version, 42);
  EXPECT_EQ(plan.tail_from, 4000);
  // A keyframe at the very end: only the events after its version (resizes, say) are read.
  plan = plan_recovery_read(state, screen_keyframe{5000, 51, 24, 80, ""}, 0);
  EXPECT_EQ(plan.from_version, 52);
  EXPECT_EQ(plan.feed_from, 5000);
}

TEST(screen_keyframe, recovery_ignores_a_keyframe_the_log_does_not_reach) {
  const auto state = with_output(50);
  EXPECT_FALSE(plan_recovery_read(state, screen_keyframe{100, 52, 24, 80, ""}, 0).from_keyframe);
  EXPECT_FALSE(plan_recovery_read(state, screen_keyframe{5001, 51, 24, 80, ""}, 0).from_keyframe);
}

// The promise keyframes rest on: a model started from one and fed the rest shows what a model
// fed everything shows.
TEST(screen_keyframe, a_model_started_from_a_keyframe_matches_one_fed_everything) {
  std::string before;
  for (int i = 0; i < 3000; ++i)
    before += "line " + std::to_string(i) + " \x1b[1;32mok\x1b[m\r\n";
  before += "\x1b]2;title\x07\x1b[?2004h$ ";
  const std::string after = "ls\r\n\x1b[31mred\x1b[m file\r\n$ \x1b[?1049h\x1b[Hvim here";

  screen_model everything(24, 80);
  everything.feed(before);
  const auto at = everything.take_snapshot();
  const screen_keyframe keyframe{everything.interpreted_bytes(), 2, at.rows, at.cols,
                                 render_vt(at)};
  everything.feed(after);

  screen_model resumed(keyframe.rows, keyframe.cols);
  resumed.feed(keyframe.vt);
  EXPECT_EQ(resumed.interpreted_bytes(), static_cast<std::int64_t>(keyframe.vt.size()));
  resumed.feed(after);
  EXPECT_EQ(resumed.take_snapshot(), everything.take_snapshot());
}

}  // namespace
}  // namespace berth::actors
