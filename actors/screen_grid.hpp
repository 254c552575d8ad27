#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "actors/screen_model.hpp"

// The cells of one terminal buffer (primary or alternate) in the compact form the screen
// model keeps them: 16 bytes a cell, rows reached through handles so that scrolling a
// region of whole rows moves handles, not cells.

namespace berth::actors {

/// The SGR state a cell was drawn or erased with: the part of libvterm's ScreenPen that a
/// snapshot shows (its font and double-width/height marks never reach one) and DECSCA.
struct cell_pen {
  /// SGR 1.
  static constexpr std::uint8_t bold = 1 << 0;
  /// SGR 3.
  static constexpr std::uint8_t italic = 1 << 1;
  /// SGR 5.
  static constexpr std::uint8_t blink = 1 << 2;
  /// SGR 7.
  static constexpr std::uint8_t reverse = 1 << 3;
  /// SGR 9.
  static constexpr std::uint8_t strike = 1 << 4;
  /// DECSCA: a selective erase (DECSED, DECSEL) leaves the cell alone.
  static constexpr std::uint8_t protected_cell = 1 << 5;
  /// The underline style (0–3) sits in the two top bits.
  static constexpr int underline_shift = 6;
  /// Mask of the underline style.
  static constexpr std::uint8_t underline_mask = 3 << underline_shift;

  /// Foreground colour.
  screen_color foreground;
  /// Background colour.
  screen_color background;
  /// The flags above and the underline style.
  std::uint8_t attributes = 0;
  /// Pens compare equal when every field does.
  bool operator==(const cell_pen&) const = default;
};

/// libvterm keeps a base character and at most five combining marks in a cell
/// (VTERM_MAX_CHARS_PER_CELL = 6) and drops any further ones.
inline constexpr int max_marks_per_cell = 5;

/// The combining marks of one cell, the first mark_count of them meaningful.
using cell_marks = std::array<std::uint32_t, max_marks_per_cell>;

/// One cell: its first code point, the pen, and how many combining marks the grid keeps for
/// it beside the cells (they are rare, so they do not widen every cell).
struct grid_cell {
  /// The code of a cell erased or never written; it shows as a space.
  static constexpr std::uint32_t erased = 0;
  /// The code of the right half of a wide character, libvterm's marker (its UTF-8 decoder
  /// yields at most 0x7fffffff, so no character has this code).
  static constexpr std::uint32_t wide_continuation = 0xffffffff;

  /// The base character, erased or wide_continuation.
  std::uint32_t code = erased;
  /// What the cell was drawn or erased with.
  cell_pen pen;
  /// Combining marks after the base character.
  std::uint8_t mark_count = 0;
  /// Cells compare equal when every field does (marks are kept elsewhere).
  bool operator==(const grid_cell&) const = default;
};

static_assert(sizeof(grid_cell) == 16, "a cell stays 16 bytes: scrolling writes whole rows");

/// Cells as a snapshot line: the right halves of wide characters are left out and the cell
/// before one gets width 2; reverse inverts every cell's SGR 7 (DECSCNM). marks may be null
/// when no cell has any.
screen_line to_screen_line(const grid_cell* cells, const cell_marks* marks, int count,
                           bool reverse);

/// The pen as a blank cell drawn with it (its attributes and colours; DECSCNM left out).
screen_cell to_screen_pen(const cell_pen& pen);

/// A cell that shows as a blank screen_cell under reverse (the snapshot trims such cells at
/// the end of a scrollback line); next is the cell to its right, null at the row's end.
bool shows_blank(const grid_cell& cell, const grid_cell* next, bool reverse);

/// rows×cols cells. Rows are reached through handles in a ring: rotating the whole screen
/// moves where the ring starts, rotating a range of rows moves their handles. Each row also knows
/// where its default blanks begin, so the end of a line is found without scanning the blanks after
/// it.
class screen_grid {
 public:
  /// rows×cols erased cells drawn with fill.
  screen_grid(int rows, int cols, const cell_pen& fill);

  /// Height in cells.
  int rows() const { return rows_; }
  /// Width in cells.
  int cols() const { return cols_; }

  /// The cols cells of a row, left to right.
  grid_cell* row(int row) { return cells_.data() + offset(row); }
  /// The cols cells of a row, left to right.
  const grid_cell* row(int row) const { return cells_.data() + offset(row); }
  /// The combining marks of a row's cells, parallel to row(); null while no cell of this
  /// grid has had any.
  const cell_marks* marks(int row) const;
  /// The combining marks of a row's cells, made on first use.
  cell_marks* writable_marks(int row);

  /// Every cell of the row from this column on is an erased cell with the default pen.
  int blank_from(int row) const { return handle(row).blank_from; }
  /// Notes that a cell before end_col may now differ from a default blank.
  void touch(int row, int end_col);
  /// The cell at row, col, about to be written (the hot path of every printed character).
  grid_cell& cell_to_write(int row, int col) {
    auto& written = handle(row);
    if (written.blank_from <= col) written.blank_from = col + 1;
    return cells_[static_cast<std::size_t>(written.slot) * static_cast<std::size_t>(cols_) +
                  static_cast<std::size_t>(col)];
  }
  /// True when no cell of the row holds a character (libvterm's vterm_screen_is_eol at
  /// column 0): erased cells only, whatever their pen.
  bool holds_no_character(int row) const;

  /// Erases columns [start_col, end_col) of a row with pen; a selective erase keeps
  /// DECSCA-protected cells.
  void erase(int row, int start_col, int end_col, const cell_pen& pen, bool selective);
  /// Copies count cells (and their marks) from one place to another, which may overlap.
  void move_cells(int dest_row, int dest_col, int src_row, int src_col, int count);
  /// Rotates rows [start_row, end_row) so that the row at start_row + upward comes to
  /// start_row (negative: downward); 0 < |upward| < end_row - start_row.
  void rotate_rows(int start_row, int end_row, int upward);
  /// A copy of this grid at another size: rows and columns beyond the old ones are erased
  /// cells drawn with fill, rows and columns beyond the new ones are dropped.
  screen_grid resized(int rows, int cols, const cell_pen& fill) const;

 private:
  struct row_handle {
    int slot;        // the row's place in cells_ (and marks_), in rows
    int blank_from;  // columns from here on hold default blanks
  };

  // Row row's handle: handles_ is a ring whose first row is top_.
  row_handle& handle(int row) {
    const int at = top_ + row;
    return handles_[static_cast<std::size_t>(at < rows_ ? at : at - rows_)];
  }
  const row_handle& handle(int row) const {
    const int at = top_ + row;
    return handles_[static_cast<std::size_t>(at < rows_ ? at : at - rows_)];
  }

  std::size_t offset(int row) const {
    return static_cast<std::size_t>(handle(row).slot) * static_cast<std::size_t>(cols_);
  }

  int rows_;
  int cols_;
  std::vector<grid_cell> cells_;
  std::vector<cell_marks> marks_;  // empty until the first combining mark
  std::vector<row_handle> handles_;
  int top_ = 0;  // the index in handles_ of the top row: scrolling the whole screen moves it
};

}  // namespace berth::actors
