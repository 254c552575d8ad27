#include "actors/screen_feeder.hpp"

#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace berth::actors {
namespace {

/// Output with colours, cursor moves, an alternate screen and a unfinished escape at the
/// end of some chunks: what makes order and splitting matter.
std::string chunk(int i) {
  std::string text = "\x1b[3" + std::to_string(i % 8) + "mline " + std::to_string(i) + "\r\n";
  if (i % 7 == 0) text += "\x1b[2;5H*";
  if (i % 11 == 0) text += "\x1b[?1049h";
  if (i % 13 == 0) text += "\x1b[?1049l";
  if (i % 5 == 0) text += "\x1b[";  // completed by the next chunk's '3'
  return text;
}

/// A model fed inline: the reference the feeder must match exactly.
struct inline_model {
  screen_model model{24, 80};
  std::int64_t fed = 0;
};

TEST(screen_feeder, matches_a_model_fed_inline_whenever_it_is_read) {
  inline_model reference;
  screen_feeder feeder(screen_model(24, 80));
  for (int i = 1; i <= 400; ++i) {
    const auto bytes = chunk(i);
    reference.model.feed(bytes);
    feeder.feed(bytes);
    if (i % 50 == 0) {
      reference.model.resize(10 + i / 50, 40 + i / 10);
      feeder.resize(10 + i / 50, 40 + i / 10);
    }
    if (i % 3 == 0) feeder.drain_some(64);  // the drainer behind, by a varying amount
    if (i % 17 == 0) {
      const auto [offset, snapshot] = feeder.with_current([](const screen_model& m) {
        return std::make_pair(m.interpreted_bytes(), m.take_snapshot());
      });
      EXPECT_EQ(offset, reference.model.interpreted_bytes()) << "after chunk " << i;
      EXPECT_EQ(snapshot, reference.model.take_snapshot()) << "after chunk " << i;
      EXPECT_EQ(feeder.queued_bytes(), 0u);
    }
  }
}

TEST(screen_feeder, asks_for_the_drainer_once_per_empty_queue_and_counts_what_waits) {
  screen_feeder feeder(screen_model(24, 80));
  EXPECT_TRUE(feeder.feed("abc")) << "the first output calls the drainer";
  EXPECT_FALSE(feeder.feed("def")) << "a drain is pending already";
  EXPECT_EQ(feeder.queued_bytes(), 6u);
  EXPECT_FALSE(feeder.drain_some(screen_drain_quantum)) << "all fed: nothing more to drain";
  EXPECT_EQ(feeder.queued_bytes(), 0u);
  EXPECT_TRUE(feeder.feed("ghi")) << "after an emptied queue the drainer is called again";
  const std::string big(3 * screen_drain_quantum, 'x');
  for (std::size_t at = 0; at < big.size(); at += 16 * 1024)
    feeder.feed(std::string_view(big).substr(at, 16 * 1024));
  EXPECT_TRUE(feeder.drain_some(screen_drain_quantum)) << "a quantum leaves the rest queued";
  EXPECT_GT(feeder.queued_bytes(), 0u);
  EXPECT_LT(feeder.queued_bytes(), big.size());
  const auto offset =
      feeder.with_current([](const screen_model& m) { return m.interpreted_bytes(); });
  EXPECT_EQ(offset, static_cast<std::int64_t>(3 + 3 + 3 + big.size()));
}

TEST(screen_feeder, replacing_the_model_drops_what_was_queued_for_the_old_one) {
  screen_feeder feeder(screen_model(24, 80));
  feeder.feed("old output");
  screen_model recovered(10, 40);
  recovered.feed("recovered");
  feeder.replace(std::move(recovered));
  EXPECT_EQ(feeder.queued_bytes(), 0u);
  // The recovered model's ten rows, nothing of the old output.
  EXPECT_EQ(feeder.with_current([](const screen_model& m) { return m.screen_text(); }),
            "recovered" + std::string(9, '\n'));
}

TEST(screen_feeder, a_drainer_thread_and_readers_keep_the_bytes_in_order) {
  inline_model reference;
  screen_feeder feeder(screen_model(24, 80));
  std::atomic<bool> done{false};
  std::thread drainer([&] {
    while (!done.load())
      feeder.drain_some(1024);
  });
  for (int i = 1; i <= 3000; ++i) {
    const auto bytes = chunk(i);
    reference.model.feed(bytes);
    feeder.feed(bytes);
    if (i % 500 == 0) {
      const auto offset =
          feeder.with_current([](const screen_model& m) { return m.interpreted_bytes(); });
      EXPECT_EQ(offset, reference.model.interpreted_bytes());
    }
  }
  done = true;
  drainer.join();
  EXPECT_EQ(feeder.with_current([](const screen_model& m) { return m.take_snapshot(); }),
            reference.model.take_snapshot());
}

}  // namespace
}  // namespace berth::actors
