// Output a tenant can print that drives libvterm 0.1.4's state layer (under screen_model)
// out of its own memory: each case read or wrote past libvterm's arrays before screen_model
// kept it away (under ASan, these tests are where that would show first).

#include <gtest/gtest.h>

#include <string>

#include "actors/screen_model.hpp"

namespace berth::actors {
namespace {

std::string all_of(const std::string& bytes, screen_model& model, bool byte_by_byte) {
  if (!byte_by_byte) {
    model.feed(bytes);
  } else {
    for (const char byte : bytes)
      model.feed(std::string(1, byte));
  }
  return model.screen_text();
}

// ESC, a control, then `\` inside an OSC: libvterm alone ends the string at the `\` with a
// length of -1 and copies its title from past the bytes it was given (here: "\\tail").
TEST(screen_model_hostile, ends_a_string_where_an_escape_and_controls_interrupt_it) {
  for (const bool byte_by_byte : {false, true}) {
    for (const std::string& control :
         {std::string("\n"), std::string(1, '\0'), std::string("\x7f")}) {
      screen_model model(4, 20);
      const std::string bytes = "\x1b]2;title\x1b" + control + "\\tail";
      const auto text = all_of(bytes, model, byte_by_byte);
      const auto snapshot = model.take_snapshot();
      EXPECT_EQ(snapshot.title, "title");
      // The control is executed; ESC, controls and `\` are an escape sequence (ST).
      EXPECT_EQ(text, control == "\n" ? "\ntail\n\n" : "tail\n\n\n");
      EXPECT_EQ(model.interpreted_bytes(), static_cast<std::int64_t>(bytes.size()));
    }
  }
}

// DECRC restores a cursor saved on a larger screen: libvterm alone leaves it there, below
// and right of the screen, and HTS then writes its tab stop past the array.
TEST(screen_model_hostile, restores_a_cursor_saved_on_a_larger_screen_inside_the_screen) {
  screen_model model(10, 40);
  model.feed(
      "\x1b[10;30H\x1b"
      "7");
  model.resize(3, 8);
  model.feed(
      "\x1b"
      "8");
  auto snapshot = model.take_snapshot();
  EXPECT_EQ(snapshot.cursor_row, 2);
  EXPECT_EQ(snapshot.cursor_col, 7);
  model.feed("\x1bHX");
  EXPECT_EQ(model.screen_text(), "\n\n       X");

  screen_model alternate(10, 40);
  alternate.feed("\x1b[10;30H\x1b[?1049h");
  alternate.resize(3, 8);
  alternate.feed("\x1b[?1049l\x1bHY");
  snapshot = alternate.take_snapshot();
  EXPECT_FALSE(snapshot.alt_screen);
  EXPECT_EQ(alternate.screen_text(), "\n\n       Y");
}

// A scroll region whose top a resize left below the screen: libvterm alone keeps it, and
// the next line feed at the bottom moves its per-row array by a negative count.
TEST(screen_model_hostile, resets_a_scroll_region_that_a_resize_left_below_the_screen) {
  screen_model model(10, 20, 10);
  model.feed("\x1b[5r");  // rows 5 to 10; the cursor goes home
  model.resize(3, 20);
  EXPECT_EQ(model.take_snapshot().cursor_row, 0);
  model.feed("one\r\ntwo\r\nthree\r\nfour");
  EXPECT_EQ(model.screen_text(), "two\nthree\nfour");
  ASSERT_EQ(model.take_snapshot().scrollback.size(), 1u);
}

// Only a region that no longer fits is reset: one inside the smaller screen still scrolls
// alone (it would not if the model reset every region on a resize).
TEST(screen_model_hostile, keeps_a_scroll_region_that_still_fits_after_a_resize) {
  screen_model model(10, 20, 10);
  model.feed("\x1b[2;4r");
  model.resize(6, 20);
  model.feed("\x1b[4;1Hx\r\ny\r\nz");
  EXPECT_EQ(model.screen_text(), "\nx\ny\nz\n\n");  // reset: "\n\n\nx\ny\nz"
  EXPECT_TRUE(model.take_snapshot().scrollback.empty());
}

// An OSC longer than the scanner holds is ended for libvterm (which keeps its first 64 bytes
// anyway) and its rest dropped as it comes, controls in it executed; libvterm is never left
// inside the string, where a resize's own query would end it and the rest print as text.
TEST(screen_model_hostile, ends_an_over_long_string_and_drops_its_rest) {
  screen_model model(4, 20);
  const std::string head = "\x1b]2;" + std::string(70'000, 't');
  model.feed(head);
  model.resize(4, 20);
  const std::string rest = std::string(10, 't') + "\n" + "tt\a" + "after";
  model.feed(rest);
  const auto snapshot = model.take_snapshot();
  EXPECT_FALSE(snapshot.title.empty());
  EXPECT_EQ(snapshot.title.find_first_not_of('t'), std::string::npos) << snapshot.title;
  EXPECT_EQ(model.screen_text(), "\nafter\n\n");
  EXPECT_EQ(model.interpreted_bytes(), static_cast<std::int64_t>(head.size() + rest.size()));
}

}  // namespace
}  // namespace berth::actors
