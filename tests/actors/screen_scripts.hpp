#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

// For tests only: terminal output as scripts of feeds and resizes, for the differential
// test to play to screen_model and reference_screen alike.

namespace berth::actors {

/// Bytes to feed, or a resize.
struct screen_step {
  /// What to feed (empty for a resize).
  std::string bytes;
  /// New height for a resize; 0 for a feed.
  int rows = 0;
  /// New width for a resize.
  int cols = 0;

  /// A feed of bytes.
  static screen_step feed(std::string bytes) { return {std::move(bytes), 0, 0}; }
  /// A resize (rows > 0 marks it; the models clamp anything out of range).
  static screen_step resize(int rows, int cols) { return {{}, std::max(rows, 1), cols}; }
  /// True for a resize.
  bool is_resize() const { return rows > 0; }
};

/// A screen of a size and a scrollback limit, and what happens to it.
struct screen_script {
  /// Initial height.
  int rows = 24;
  /// Initial width.
  int cols = 80;
  /// Scrollback limit in lines.
  std::size_t scrollback = 1000;
  /// Feeds and resizes, in order.
  std::vector<screen_step> steps;
};

/// Every input of screen_model_test.cpp, by test name, in the same feeds and resizes.
std::vector<std::pair<std::string, screen_script>> unit_test_scripts();

/// A pseudo-random script from a seed: text, UTF-8 (wide, combining, broken), controls,
/// cursor moves, erases, insertions and deletions, scroll regions and margins, alternate
/// screens, modes, colours, titles, REP, resizes between feeds, scrollback limits from none
/// to 1000. Columns stay 2 or more (reference_screen crashes on a wide glyph in one column).
screen_script random_script(unsigned seed);

}  // namespace berth::actors
