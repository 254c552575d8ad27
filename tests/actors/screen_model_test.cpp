#include <gtest/gtest.h>

#include <random>
#include <string>

#include "actors/screen_model.hpp"

namespace berth::actors {
namespace {

// What a browser shows after writing the rendered snapshot into a fresh terminal.
screen_snapshot replayed(const screen_snapshot& snapshot, std::size_t scrollback_lines = 1000) {
  screen_model fresh(snapshot.rows, snapshot.cols, scrollback_lines);
  fresh.feed(render_vt(snapshot));
  return fresh.take_snapshot();
}

std::string replayed_text(const screen_snapshot& snapshot) {
  screen_model fresh(snapshot.rows, snapshot.cols);
  fresh.feed(render_vt(snapshot));
  return fresh.screen_text();
}

TEST(screen_model, shows_plain_text_and_newlines) {
  screen_model model(4, 20);
  model.feed("hello\r\nworld  \r\n");
  EXPECT_EQ(model.screen_text(), "hello\nworld\n\n");
  EXPECT_EQ(model.interpreted_bytes(), 16);
  const auto snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.rows, 4);
  EXPECT_EQ(snapshot.cols, 20);
  EXPECT_EQ(snapshot.cursor_row, 2);
  EXPECT_EQ(snapshot.cursor_col, 0);
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, completes_a_utf8_character_split_across_two_feeds) {
  screen_model model(2, 10);
  const std::string text = "a\xc3\xa9z";  // "aéz"
  model.feed(text.substr(0, 2));
  model.feed(text.substr(2));
  EXPECT_EQ(model.screen_text(), "a\xc3\xa9z\n");
  EXPECT_EQ(model.take_snapshot().cursor_col, 3);
}

TEST(screen_model, holds_back_an_unfinished_sequence_so_snapshots_are_resume_points) {
  screen_model model(2, 20);
  model.feed("ab\xe6\xbc");  // half of 漢
  EXPECT_EQ(model.interpreted_bytes(), 2);
  model.feed("\xa2\x1b[3");
  EXPECT_EQ(model.interpreted_bytes(), 5);
  EXPECT_EQ(model.screen_text(), "ab\xe6\xbc\xa2\n");
  model.feed("1mX\x1b]2;ti");
  EXPECT_EQ(model.interpreted_bytes(), 11);  // the OSC waits for its terminator
  model.feed("tle\x1b\\");
  EXPECT_EQ(model.interpreted_bytes(), 22);
  const auto snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.title, "title");
  EXPECT_EQ(snapshot.lines[0][3].foreground.index, 1);
}

TEST(screen_model, repeats_the_last_character_and_ignores_a_repeat_with_nothing_before_it) {
  screen_model model(2, 10);
  model.feed("\x1b[b\x1b[5b");  // libvterm 0.1.4 alone never returns from these
  EXPECT_EQ(model.screen_text(), "\n");
  model.feed("x\x1b[3b-\x1b[99999999999b");
  EXPECT_EQ(model.screen_text(), "xxxx------\n");
  EXPECT_EQ(model.interpreted_bytes(), 27);
}

TEST(screen_model, repeats_a_character_that_was_split_across_feeds) {
  screen_model model(2, 10);
  model.feed(std::string(5'000, 'x') + "\x1b[H\x1b[2J\xe6\xbc");  // 漢 split after two bytes
  model.feed("\xa2\x1b[2b");
  EXPECT_EQ(model.screen_text(), "\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2\n");
  EXPECT_EQ(model.interpreted_bytes(), 5'000 + 7 + 3 + 4);
}

TEST(screen_model, repeats_after_an_unfinished_osc_itself_so_libvterm_never_does) {
  screen_model fresh(2, 10);
  fresh.feed("\x1b]\x1b[5b");  // libvterm 0.1.4 alone never returns from this
  fresh.feed("\x1b]2;title\x1b[5b");
  EXPECT_EQ(fresh.screen_text(), "\n");
  screen_model model(2, 10);
  model.feed("a\x1b]2;title\x1b[3b");
  EXPECT_EQ(model.screen_text(), "aaaa\n");
  EXPECT_EQ(model.take_snapshot().title, "");  // the OSC was never finished
  EXPECT_EQ(model.interpreted_bytes(), 14);
}

TEST(screen_model, repeats_itself_when_controls_or_subparameters_are_inside_the_repeat) {
  screen_model fresh(2, 10);
  fresh.feed("\x1b[\nb\x1b\b[3b\x1b[3:4b\x1b\xbd[4b\x1b,[5b");  // libvterm alone hangs
  EXPECT_EQ(fresh.screen_text(), "\n");
  EXPECT_EQ(fresh.take_snapshot().cursor_row, 1);  // the line feed inside still counts
  screen_model model(2, 10);
  model.feed("x\x1b[2\nb-\x1b[1:5b");
  EXPECT_EQ(model.screen_text(), "x\n xx--");
  EXPECT_EQ(model.interpreted_bytes(), 13);
}

TEST(screen_model, leaves_libvterm_at_rest_when_it_withholds_a_sequence) {
  // ESC 0xa2 leaves libvterm in the middle of an escape (it ignores the byte); the ESC that
  // follows, withheld, would have ended it. Read on from there, "[3b" is a REP to libvterm,
  // which never returns with nothing printed before.
  screen_model model(3, 10);
  model.feed("\x1b\xa2\x1b[3b\r[3b");
  model.feed("\x1b\xa2\x1b[;;;;;;;;;;;;;;;;;;m\r\n[3b");
  model.feed("\x1b\xa2\x1b[" + std::string(100'000, '1'));
  model.feed("\r\n[3b");
  EXPECT_EQ(model.screen_text(), "[3b\n[3b\n[3b");
}

TEST(screen_model, drops_a_csi_with_more_arguments_than_libvterm_can_hold) {
  screen_model model(2, 10);
  model.feed("a\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mb\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;31mc");
  EXPECT_EQ(model.screen_text(), "abc\n");
  const auto snapshot = model.take_snapshot();
  EXPECT_FALSE(snapshot.lines[0][1].attributes.bold);  // 17 arguments: ignored
  EXPECT_TRUE(snapshot.lines[0][2].attributes.bold);   // 16 arguments: applied
  EXPECT_EQ(snapshot.lines[0][2].foreground.index, 1);
  EXPECT_EQ(model.interpreted_bytes(), 74);
  model.feed(
      "\x1b[;;;;;;;;;;;;;;;;;;;;\x1b[;;;;;;;;;;;;;;;;;;;;\x18"
      "d");  // aborted, cancelled
  EXPECT_EQ(model.screen_text(), "abcd\n");
  model.feed("\x1b[" + std::string(100'000, '1'));  // held back, then dropped as garbage
  EXPECT_EQ(model.interpreted_bytes(), 74 + 46 + 100'002);
}

TEST(screen_model, gives_wide_characters_two_columns) {
  screen_model model(2, 10);
  model.feed("\xe6\xbc\xa2x");  // "漢x"
  const auto snapshot = model.take_snapshot();
  ASSERT_EQ(snapshot.lines[0].size(), 9u);  // the right half of 漢 is not a cell of its own
  EXPECT_EQ(snapshot.lines[0][0].text, "\xe6\xbc\xa2");
  EXPECT_EQ(snapshot.lines[0][0].width, 2);
  EXPECT_EQ(snapshot.lines[0][1].text, "x");
  EXPECT_EQ(snapshot.cursor_col, 3);
  EXPECT_EQ(replayed(snapshot), snapshot);
}

// libvterm 0.1.4's own screen wrote past the row for these and crashed the server.
TEST(screen_model, clips_a_glyph_wider_than_the_screen) {
  screen_model narrow(2, 1);
  narrow.feed("\xe6\xbc\xa2");  // 漢, two columns, on a screen of one: the next row
  EXPECT_EQ(narrow.screen_text(), "\n\xe6\xbc\xa2");
  screen_model model(3, 80);
  std::string wide = "\xe6\xbc\xa2";
  for (int mark = 0; mark < 100; ++mark)
    wide += "\xe3\x80\xaa";  // U+302A, a combining mark libvterm counts two columns wide
  model.feed(wide + "\r\nok");
  const auto snapshot = model.take_snapshot();
  ASSERT_EQ(snapshot.lines[1].size(), 1u);      // the other 79 columns are its right half
  const auto kept = wide.substr(0, 3 + 5 * 3);  // a cell keeps five combining marks
  EXPECT_EQ(snapshot.lines[1][0].text, kept);
  EXPECT_EQ(model.screen_text(), "\n" + kept + "\nok");
}

TEST(screen_model, survives_a_c1_control_sent_as_text_and_an_erase_left_of_the_screen) {
  screen_model model(3, 10);
  model.feed("\xc2\x80\x1b[K");  // U+0080 has width -1: the cursor moves left of column 0
  model.feed("\x1b[Hok");
  EXPECT_EQ(model.screen_text(), "ok\n\n");
}

TEST(screen_model, captures_colours_and_attributes_and_renders_them_back) {
  screen_model model(3, 40);
  model.feed("\x1b[1;31mR\x1b[0;3;4;42mG\x1b[0;38;5;200;48;2;1;2;3mB\x1b[0;7;9;5;95mX\x1b[0m ok");
  model.feed("\r\n\x1b[4:3mcurly\x1b[0m \x1b[44m  \x1b[K\x1b[0m");
  const auto snapshot = model.take_snapshot();
  const auto& cells = snapshot.lines[0];
  EXPECT_TRUE(cells[0].attributes.bold);
  EXPECT_EQ(cells[0].foreground, (screen_color{screen_color::kind::indexed, 1, 0, 0, 0}));
  EXPECT_TRUE(cells[1].attributes.italic);
  EXPECT_EQ(cells[1].attributes.underline, 1);
  EXPECT_EQ(cells[1].background, (screen_color{screen_color::kind::indexed, 2, 0, 0, 0}));
  EXPECT_EQ(cells[2].foreground, (screen_color{screen_color::kind::indexed, 200, 0, 0, 0}));
  EXPECT_EQ(cells[2].background, (screen_color{screen_color::kind::rgb, 0, 1, 2, 3}));
  EXPECT_TRUE(cells[3].attributes.reverse);
  EXPECT_TRUE(cells[3].attributes.strike);
  EXPECT_TRUE(cells[3].attributes.blink);
  EXPECT_EQ(cells[3].foreground, (screen_color{screen_color::kind::indexed, 13, 0, 0, 0}));
  screen_cell plain_o;
  plain_o.text = "o";
  EXPECT_EQ(cells[5], plain_o);  // after SGR 0 everything is default again
  EXPECT_EQ(snapshot.lines[1][0].attributes.underline, 3);
  // \e[K with a blue pen paints the rest of the row blue (background colour erase).
  EXPECT_EQ(snapshot.lines[1].back().background.type, screen_color::kind::indexed);
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, reports_the_cursor_position_and_visibility) {
  screen_model model(10, 20);
  model.feed("\x1b[5;7Habc\x1b[?25l");
  const auto snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.cursor_row, 4);
  EXPECT_EQ(snapshot.cursor_col, 9);
  EXPECT_FALSE(snapshot.cursor_visible);
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, renders_the_alternate_screen_and_returns_to_the_primary_one) {
  screen_model model(5, 20);
  model.feed("$ ls\r\nfile\r\n$ vim\r\n");
  model.feed("\x1b[?1049h\x1b[H\x1b[2Jline one\r\n~\r\n~\r\n~\r\n\x1b[7m\"x\" 1L\x1b[0m\x1b[1;5H");
  const auto snapshot = model.take_snapshot();
  EXPECT_TRUE(snapshot.alt_screen);
  EXPECT_TRUE(snapshot.scrollback.empty());
  EXPECT_EQ(model.screen_text(), "line one\n~\n~\n~\n\"x\" 1L");
  EXPECT_EQ(replayed(snapshot), snapshot);
  EXPECT_EQ(replayed_text(snapshot), model.screen_text());

  model.feed("\x1b[?1049l");
  EXPECT_FALSE(model.take_snapshot().alt_screen);
  EXPECT_EQ(model.screen_text(), "$ ls\nfile\n$ vim\n\n");
}

TEST(screen_model, detects_and_renders_input_modes) {
  screen_model model(4, 20);
  auto snapshot = model.take_snapshot();
  EXPECT_FALSE(snapshot.bracketed_paste);
  EXPECT_FALSE(snapshot.application_cursor);
  EXPECT_EQ(snapshot.mouse, mouse_tracking::none);
  EXPECT_FALSE(snapshot.sgr_mouse);

  model.feed("\x1b[?2004h\x1b[?1h\x1b[?1002h\x1b[?1006h");
  snapshot = model.take_snapshot();
  EXPECT_TRUE(snapshot.bracketed_paste);
  EXPECT_TRUE(snapshot.application_cursor);
  EXPECT_EQ(snapshot.mouse, mouse_tracking::drag);
  EXPECT_TRUE(snapshot.sgr_mouse);
  EXPECT_EQ(replayed(snapshot), snapshot);
  EXPECT_EQ(model.take_snapshot(), snapshot);  // probing changed nothing

  model.feed("\x1b[?2004l\x1b[?1l\x1b[?1002l\x1b[?1003h");
  snapshot = model.take_snapshot();
  EXPECT_FALSE(snapshot.bracketed_paste);
  EXPECT_FALSE(snapshot.application_cursor);
  EXPECT_EQ(snapshot.mouse, mouse_tracking::move);
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, keeps_sgr_mouse_encoding_requested_before_tracking) {
  screen_model model(4, 20);
  model.feed("\x1b[?1006h");
  const auto snapshot = model.take_snapshot();
  EXPECT_TRUE(snapshot.sgr_mouse);
  EXPECT_EQ(snapshot.mouse, mouse_tracking::none);  // the probe switched tracking back off
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, takes_the_title_from_osc_2_and_renders_it) {
  screen_model model(4, 20);
  model.feed("\x1b]2;hello\a");
  const auto snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.title, "hello");
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, keeps_content_when_resized) {
  screen_model model(4, 10);
  model.feed("hello\r\nworld");
  model.resize(6, 30);
  auto snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.rows, 6);
  EXPECT_EQ(snapshot.cols, 30);
  EXPECT_EQ(model.screen_text(), "hello\nworld\n\n\n\n");
  model.feed(" wide enough for thirty");
  EXPECT_EQ(model.screen_text(), "hello\nworld wide enough for thirty\n\n\n\n");
  EXPECT_EQ(replayed(model.take_snapshot()), model.take_snapshot());

  model.resize(0, 100'000);
  snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.rows, 1);
  EXPECT_EQ(snapshot.cols, screen_model::max_dimension);
}

TEST(screen_model, keeps_the_cursor_on_the_screen_when_a_resize_scrolls_away_the_rows_above_it) {
  screen_model model(6, 10);
  model.feed("a\r\nb\r\nc\r\nd\r\ne\x1b[H");  // the cursor at the top, lines below it
  model.resize(2, 10);
  EXPECT_EQ(model.take_snapshot().cursor_row, 0);  // libvterm 0.1.4 alone: -3
  model.feed("X");
  EXPECT_EQ(model.screen_text(), "X\ne");
  EXPECT_EQ(model.take_snapshot().scrollback.size(), 3u);
}

TEST(screen_model, bounds_scrollback_and_renders_it_before_the_screen) {
  screen_model model(3, 10, 5);
  for (int i = 0; i < 20; ++i)
    model.feed("line " + std::to_string(i) + "\r\n");
  const auto snapshot = model.take_snapshot();
  ASSERT_EQ(snapshot.scrollback.size(), 5u);
  EXPECT_EQ(snapshot.scrollback.front()[5].text, "1");  // "line 13": 0–12 fell off
  EXPECT_EQ(snapshot.scrollback.front()[6].text, "3");
  EXPECT_EQ(model.screen_text(), "line 18\nline 19\n");
  EXPECT_EQ(replayed(snapshot, 5), snapshot);
}

TEST(screen_model, reproduces_a_full_screen_app_whose_start_is_gone) {
  screen_model model(24, 80);
  model.feed("$ top\r\n\x1b[?1049h\x1b[?1h\x1b[?25l\x1b[H\x1b[2J");
  for (int row = 1; row <= 24; ++row)
    model.feed("\x1b[" + std::to_string(row) + ";1H\x1b[3" + std::to_string(row % 8) + "mrow " +
               std::to_string(row) + "\x1b[K\x1b[0m");
  std::mt19937 random(7);
  std::string redraws;
  while (redraws.size() < 200'000) {  // far more than any raw replay buffer would keep
    const auto row = 1 + random() % 23;
    const auto col = 1 + random() % 70;
    redraws += "\x1b[" + std::to_string(row) + ';' + std::to_string(col) + "H\x1b[1;4" +
               std::to_string(random() % 8) + "m" + std::to_string(random()) + "\x1b[0m";
    redraws += "\x1b[24;1H\x1b[7mstatus " + std::to_string(redraws.size()) + "\x1b[K\x1b[0m";
  }
  model.feed(redraws);
  const auto snapshot = model.take_snapshot();
  ASSERT_TRUE(snapshot.alt_screen);
  EXPECT_TRUE(model.screen_text().find("status") != std::string::npos);
  EXPECT_EQ(replayed_text(snapshot), model.screen_text());
  EXPECT_EQ(replayed(snapshot), snapshot);
}

TEST(screen_model, survives_hostile_input_with_bounded_state) {
  screen_model model(24, 80, 100);
  model.feed("\x1b[99999999999999999999999A\x1b[999999999;999999999H\x1b[99999999999@");
  model.feed("\x1b[9999999999L\x1b[9999999999M\x1b[9999999999S\x1b[9999999999T\x1b[999999999b");
  model.feed("\x1b[99999999999P\x1b[99999999999X\x1b[?99999999999h\x1b[99999999999999t");
  // More than 16 arguments overwrite libvterm 0.1.4's memory; such a CSI must not reach it.
  model.feed("\x1b[;;;;;;;;;;;;;;;;;;;;H\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18m");
  model.feed("\x1b[" + std::string(10'000, '9') + "m\x1b[" + std::string(10'000, ';') + "H");
  model.feed("\x1b]2;" + std::string(100'000, 't') + "\a");
  model.feed("\x1bP" + std::string(100'000, 'd') + "\x1b\\");
  std::mt19937 random(42);
  std::string garbage(1 << 20, '\0');
  for (auto& byte : garbage)
    byte = static_cast<char>(random());
  model.feed(garbage);
  model.feed(
      "\x1b"
      "c");  // whatever state the garbage left, a reset recovers the screen
  model.feed("still alive");
  EXPECT_EQ(model.screen_text().substr(0, 11), "still alive");
  for (int round = 0; round < 20; ++round) {
    for (std::size_t i = 0; i < garbage.size(); i += 4096)
      garbage[i] = static_cast<char>(random());
    model.feed(garbage.substr(0, 65536));
  }
  const auto snapshot = model.take_snapshot();
  EXPECT_LE(snapshot.scrollback.size(), 100u);
  EXPECT_LE(snapshot.title.size(), 1024u);
  EXPECT_LE(render_vt(snapshot).size(), 1u << 20);  // (100 + 24) × 80 cells with SGR each
  EXPECT_EQ(replayed_text(snapshot), model.screen_text());
}

}  // namespace
}  // namespace berth::actors
