#include "actors/screen_buffer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::actors {
namespace {

// A buffer as the screen model's reset leaves it: default pen, every cell erased with it.
screen_buffer fresh(int rows, int cols, std::size_t scrollback) {
  screen_buffer buffer(rows, cols, scrollback);
  buffer.pen() = cell_pen{};
  buffer.erase({0, rows, 0, cols}, false);
  return buffer;
}

// Prints ASCII text from row, col as libvterm's state would, one glyph a column.
void print(screen_buffer& buffer, int row, int col, const std::string& text) {
  for (const char byte : text) {
    const std::uint32_t glyph[] = {static_cast<unsigned char>(byte), 0};
    buffer.put_glyph(glyph, 1, false, row, col++);
  }
}

std::string text_of(const screen_line& line) {
  std::string text;
  for (const auto& cell : line)
    text += cell.text;
  return text;
}

std::vector<std::string> scrollback_text(const screen_buffer& buffer) {
  std::vector<std::string> lines;
  for (const auto& line : buffer.scrollback())
    lines.push_back(text_of(line));
  return lines;
}

TEST(screen_buffer, moves_the_row_that_scrolls_off_the_top_to_the_scrollback_without_its_blanks) {
  auto buffer = fresh(3, 8, 10);
  print(buffer, 0, 0, "one");
  print(buffer, 1, 0, "two");
  buffer.scroll_rect({0, 3, 0, 8}, 1, 0);
  EXPECT_EQ(scrollback_text(buffer), std::vector<std::string>{"one"});
  EXPECT_EQ(text_of(buffer.visible_line(0)), "two     ");
  EXPECT_EQ(text_of(buffer.visible_line(2)), "        ");
}

TEST(screen_buffer, keeps_no_more_lines_than_its_limit_and_none_with_a_limit_of_zero) {
  auto bounded = fresh(2, 4, 2);
  auto none = fresh(2, 4, 0);
  for (const auto* line : {"a", "b", "c"}) {
    for (auto* buffer : {&bounded, &none}) {
      print(*buffer, 0, 0, line);
      buffer->scroll_rect({0, 2, 0, 4}, 1, 0);
    }
  }
  EXPECT_EQ(scrollback_text(bounded), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(none.scrollback().empty());
}

TEST(screen_buffer, keeps_nothing_from_a_region_below_the_top_or_from_the_alternate_screen) {
  auto buffer = fresh(4, 4, 10);
  print(buffer, 1, 0, "mid");
  buffer.scroll_rect({1, 4, 0, 4}, 1, 0);  // DECSTBM from the second row
  buffer.show_alternate(true);
  buffer.erase({0, 4, 0, 4}, false);
  print(buffer, 0, 0, "alt");
  buffer.scroll_rect({0, 4, 0, 4}, 1, 0);
  EXPECT_TRUE(buffer.scrollback().empty());
  buffer.show_alternate(false);
  EXPECT_EQ(text_of(buffer.visible_line(1)), "    ");  // "mid" scrolled out of its region
}

TEST(screen_buffer, erases_with_the_pen_so_a_coloured_background_fills_the_row) {
  auto buffer = fresh(1, 4, 10);
  buffer.pen().background = {screen_color::kind::indexed, 4, 0, 0, 0};
  buffer.erase({0, 1, 1, 4}, false);
  const auto line = buffer.visible_line(0);
  EXPECT_EQ(line[0].background.type, screen_color::kind::default_color);
  EXPECT_EQ(line[3].background.index, 4);
  EXPECT_EQ(line[3].text, " ");
}

TEST(screen_buffer, a_selective_erase_keeps_protected_cells) {
  auto buffer = fresh(1, 4, 10);
  const std::uint32_t x[] = {'x', 0};
  buffer.put_glyph(x, 1, true, 0, 1);
  print(buffer, 0, 2, "yz");
  buffer.erase({0, 1, 0, 4}, true);
  EXPECT_EQ(text_of(buffer.visible_line(0)), " x  ");
}

TEST(screen_buffer, inserted_cells_move_a_character_with_its_combining_marks) {
  auto buffer = fresh(1, 5, 10);
  const std::uint32_t accented[] = {'e', 0x301, 0};
  buffer.put_glyph(accented, 1, false, 0, 0);
  buffer.scroll_rect({0, 1, 0, 5}, 0, -2);  // ICH 2 at column 0
  EXPECT_EQ(text_of(buffer.visible_line(0)), "  e\xcc\x81  ");
}

TEST(screen_buffer, shows_a_wide_character_as_one_cell_of_width_two) {
  auto buffer = fresh(1, 4, 10);
  const std::uint32_t han[] = {0x6f22, 0};
  buffer.put_glyph(han, 2, false, 0, 1);
  const auto line = buffer.visible_line(0);
  ASSERT_EQ(line.size(), 3u);
  EXPECT_EQ(line[1].text, "\xe6\xbc\xa2");
  EXPECT_EQ(line[1].width, 2);
}

TEST(screen_buffer, a_primary_screen_losing_rows_scrolls_its_content_above_the_cursor_away) {
  auto buffer = fresh(4, 4, 10);
  print(buffer, 0, 0, "a");
  print(buffer, 1, 0, "b");
  print(buffer, 2, 0, "c");
  EXPECT_EQ(buffer.resize(2, 4, 2), -1);  // row 3 held nothing: only one row had to go
  EXPECT_EQ(scrollback_text(buffer), std::vector<std::string>{"a"});
  EXPECT_EQ(text_of(buffer.visible_line(0)), "b   ");
  EXPECT_EQ(text_of(buffer.visible_line(1)), "c   ");
}

TEST(screen_buffer, inverts_rows_under_decscnm_and_lines_as_they_were_when_they_left) {
  auto buffer = fresh(2, 2, 10);
  print(buffer, 0, 0, "a");
  buffer.set_reverse(true);
  buffer.scroll_rect({0, 2, 0, 2}, 1, 0);
  buffer.set_reverse(false);
  const auto kept = buffer.scrollback();
  ASSERT_EQ(kept.size(), 1u);
  ASSERT_EQ(kept[0].size(), 2u);  // reversed blanks are not blank
  EXPECT_TRUE(kept[0][1].attributes.reverse);
  EXPECT_FALSE(buffer.visible_line(0)[0].attributes.reverse);
}

}  // namespace
}  // namespace berth::actors
