#include <gtest/gtest.h>

#include <string>

#include "actors/screen_model.hpp"

// A snapshot is a resume point: a fresh terminal fed its VT text, then the output that
// followed, shows what the original shows after that output. The pen, the scroll region and
// the origin and wrap modes are invisible in the snapshot's cells but decide where and how
// the next output lands (a resumed vim scrolls its region; colours continue).

namespace berth::actors {
namespace {

/// Feeds `tail` to `model` and to a fresh model that was fed the snapshot taken before it.
struct resumed_pair {
  screen_model original;
  screen_model resumed;

  resumed_pair(int rows, int cols, std::string_view before)
      : original(rows, cols), resumed(rows, cols) {
    original.feed(before);
    resumed.feed(render_vt(original.take_snapshot()));
  }

  void feed(std::string_view tail) {
    original.feed(tail);
    resumed.feed(tail);
  }
};

TEST(screen_resume, continues_in_the_pen_the_output_set_before_the_snapshot) {
  resumed_pair pair(6, 30, "plain \x1b[1;3;31;48;5;200mstyled ");
  EXPECT_TRUE(pair.resumed.take_snapshot() == pair.original.take_snapshot());
  pair.feed("still styled\x1b[0m plain again");
  const auto original = pair.original.take_snapshot();
  const auto resumed = pair.resumed.take_snapshot();
  ASSERT_EQ(original.lines[0].size(), resumed.lines[0].size());
  for (std::size_t col = 0; col < original.lines[0].size(); ++col) {
    EXPECT_TRUE(original.lines[0][col] == resumed.lines[0][col]) << "column " << col;
  }
  EXPECT_TRUE(resumed == original);
}

TEST(screen_resume, scrolls_inside_the_scroll_region_set_before_the_snapshot) {
  // Rows 2..4 (1-based) scroll; the lines around them stay.
  resumed_pair pair(6, 20, "top\r\n1\r\n2\r\n3\r\nbottom\r\nlast\x1b[2;4r\x1b[4;1H");
  EXPECT_EQ(pair.resumed.take_snapshot().scroll_top, 1);
  EXPECT_EQ(pair.resumed.take_snapshot().scroll_bottom, 4);
  pair.feed("\n\nnew");
  EXPECT_EQ(pair.original.screen_text(), "top\n3\n\nnew\nbottom\nlast");
  EXPECT_EQ(pair.resumed.screen_text(), pair.original.screen_text());
  EXPECT_TRUE(pair.resumed.take_snapshot() == pair.original.take_snapshot());
}

TEST(screen_resume, addresses_the_cursor_by_origin_mode_and_keeps_wrapping_off) {
  resumed_pair pair(8, 10, "\x1b[3;6r\x1b[?6h\x1b[2;2Hx\x1b[?7l");
  const auto snapshot = pair.original.take_snapshot();
  EXPECT_TRUE(snapshot.origin_mode);
  EXPECT_FALSE(snapshot.auto_wrap);
  EXPECT_EQ(snapshot.cursor_row, 3);  // row 2 of the region, which starts on row 3
  EXPECT_TRUE(pair.resumed.take_snapshot() == snapshot);
  // CUP under origin mode lands inside the region; without wrapping the long line
  // overwrites its last column instead of running on.
  pair.feed("\x1b[1;1Hhome\x1b[4;1H0123456789abcdef");
  EXPECT_EQ(pair.resumed.screen_text(), pair.original.screen_text());
  EXPECT_TRUE(pair.resumed.take_snapshot() == pair.original.take_snapshot());
}

TEST(screen_reports, parses_libvterm_answers_and_refuses_anything_else) {
  EXPECT_EQ(parse_scroll_region_report("\x1bP1$r3;8r\x1b\\"), (std::pair{2, 8}));
  EXPECT_EQ(parse_scroll_region_report("\x90"
                                       "1$r1;24r\x9c"),
            (std::pair{0, 24}));
  EXPECT_FALSE(parse_scroll_region_report(""));
  EXPECT_FALSE(parse_scroll_region_report("\x1bP1$r3;r\x1b\\"));
  EXPECT_FALSE(parse_scroll_region_report("\x1bP1$r3;99999999999r\x1b\\"));
  EXPECT_EQ(parse_dec_mode_report("\x1b[?6;1$y", 6), true);
  EXPECT_EQ(parse_dec_mode_report("\x1b[?7;2$y", 7), false);
  EXPECT_FALSE(parse_dec_mode_report("\x1b[?7;2$y", 6)) << "another mode's answer";
  EXPECT_FALSE(parse_dec_mode_report("\x1b[?6;0$y", 6)) << "a mode libvterm does not know";
  EXPECT_FALSE(parse_dec_mode_report("\x1b[?6;1", 6));
}

}  // namespace
}  // namespace berth::actors
