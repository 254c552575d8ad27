// Session recovery against a real event store: the screen from the newest keyframe plus the
// output after it equals the screen fed everything, and a recovery the long way leaves a
// keyframe for the next one.

#include <gtest/gtest.h>

#include "actors/screen_keyframe.hpp"
#include "actors/session_jobs.hpp"
#include "events/event_store.hpp"
#include "events/uuid.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::testing {
namespace {

using namespace actors;

constexpr std::int64_t window = 256 * 1024;
constexpr std::size_t event_bytes = 64 * 1024;

/// Writes a session stream event by event and feeds a model everything, as a live session
/// would; keyframes are taken at event boundaries like the actor takes them.
class session_recovery_pgtest : public pg_test {
 protected:
  void SetUp() override {
    pg_test::SetUp();
    if (HasFatalFailure()) return;
    store_ = std::make_unique<events::event_store>(events::event_store::options{url()});
    append(new_session_event(session_event::opened{id_, "workspace", "user", "keeper", 80, 24, 1},
                             {}));
  }
  void TearDown() override {
    store_.reset();
    pg_test::TearDown();
  }

  void append(events::new_event event) {
    auto appended = store_->append({session_stream(id_), "session", version_, {std::move(event)}});
    ASSERT_TRUE(appended) << appended.error().message;
    version_ = appended->last_version;
  }

  /// `lines` numbered lines, in events of at most 64 KiB.
  void print(int lines, const std::string& colour = "") {
    std::string text;
    for (int i = 0; i < lines; ++i)
      text += colour + "output line " + std::to_string(next_line_++) + std::string(i % 70, '.') +
              "\x1b[m\r\n";
    for (std::size_t from = 0; from < text.size(); from += event_bytes) {
      const auto bytes = text.substr(from, event_bytes);
      append(new_session_event(
          session_event::output_recorded{end_, static_cast<std::int64_t>(bytes.size())}, {},
          bytes));
      model_.feed(bytes);
      end_ += static_cast<std::int64_t>(bytes.size());
      output_ += bytes;
    }
  }

  void resize(int rows, int cols) {
    append(new_session_event(session_event::resized{cols, rows}, {}));
    model_.resize(rows, cols);
  }

  screen_keyframe keyframe_now() {
    const auto snapshot = model_.take_snapshot();
    return {model_.interpreted_bytes(), version_, snapshot.rows, snapshot.cols,
            render_vt(snapshot)};
  }

  std::optional<screen_keyframe> stored_keyframe() {
    auto stored = store_->load_snapshot(session_stream(id_), screen_keyframe_state_version);
    EXPECT_TRUE(stored);
    if (!stored || !*stored) return std::nullopt;
    return decode_keyframe((*stored)->state);
  }

  std::unique_ptr<events::event_store> store_;
  std::string id_ = events::make_uuid_v7();
  std::int64_t version_ = 0;
  std::int64_t end_ = 0;
  int next_line_ = 0;
  std::string output_;
  screen_model model_{24, 80};
};

TEST_F(session_recovery_pgtest, starts_the_screen_from_the_keyframe_and_feeds_only_what_follows) {
  print(40'000);  // ~2.6 MiB
  // Resizes up to the keyframe's version are in it; applied again, the narrow one would cut
  // every line on the screen to 20 columns.
  resize(10, 20);
  print(1'000, "\x1b[1;33m");
  resize(30, 100);
  print(1'000);
  const auto keyframe = keyframe_now();
  ASSERT_TRUE(save_keyframe(*store_, id_, keyframe));
  resize(20, 60);        // after the keyframe's version: recovery applies it
  print(5, "\x1b[44m");  // the keyframe's rows stay on the screen, as they were

  constexpr std::int64_t wide_window = 1024 * 1024;
  auto found = recover_session(*store_, id_, wide_window);
  ASSERT_TRUE(found.state) << found.state.error().message;
  ASSERT_TRUE(found.screen);
  // The keyframe was used (not everything fed again), and it changes nothing a client sees.
  EXPECT_TRUE(found.from_keyframe);
  EXPECT_EQ(found.fed_bytes, end_ - keyframe.offset);
  // The window reaches back past the resizes the keyframe holds: they were read, not applied.
  EXPECT_LT(end_ - wide_window, keyframe.offset - 100'000);
  EXPECT_GT(keyframe.offset, 2 * 1024 * 1024);  // most of the output is behind it
  EXPECT_EQ(found.screen->take_snapshot(), model_.take_snapshot());
  EXPECT_EQ(found.screen_origin + found.screen->interpreted_bytes(), end_);
  EXPECT_EQ(found.tail, output_.substr(output_.size() - wide_window));
  EXPECT_EQ(found.state->output_end, end_);
  EXPECT_EQ(found.state->rows, 20);
  EXPECT_EQ(found.state->output_index.size(),
            static_cast<std::size_t>(version_ - 4));  // all but the open and 3 resizes
}

TEST_F(session_recovery_pgtest, recovers_the_long_way_once_and_leaves_a_keyframe_for_next_time) {
  print(20'000, "\x1b[32m");
  resize(40, 132);
  print(20'000);  // past keyframe_interval in all
  ASSERT_FALSE(stored_keyframe());

  auto first = recover_session(*store_, id_, window);
  ASSERT_TRUE(first.state) << first.state.error().message;
  EXPECT_FALSE(first.from_keyframe);
  EXPECT_EQ(first.fed_bytes, end_);
  EXPECT_EQ(first.screen->take_snapshot(), model_.take_snapshot());
  const auto saved = stored_keyframe();
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->offset, end_);
  EXPECT_EQ(saved->version, version_);
  EXPECT_EQ(first.keyframe_offset, end_);

  print(100);
  auto second = recover_session(*store_, id_, window);
  ASSERT_TRUE(second.state) << second.state.error().message;
  EXPECT_TRUE(second.from_keyframe);
  EXPECT_EQ(second.fed_bytes, end_ - saved->offset);
  EXPECT_EQ(second.screen->take_snapshot(), model_.take_snapshot());
  EXPECT_EQ(second.tail, output_.substr(output_.size() - window));
}

TEST_F(session_recovery_pgtest, ignores_a_keyframe_ahead_of_the_log) {
  print(1'000);
  auto ahead = keyframe_now();
  ahead.offset = end_ + 10;  // bytes a crash lost before they were recorded
  ASSERT_TRUE(save_keyframe(*store_, id_, ahead));
  auto found = recover_session(*store_, id_, window);
  ASSERT_TRUE(found.state) << found.state.error().message;
  EXPECT_FALSE(found.from_keyframe);
  EXPECT_EQ(found.fed_bytes, end_);
  EXPECT_EQ(found.screen->take_snapshot(), model_.take_snapshot());
}

}  // namespace
}  // namespace berth::testing
