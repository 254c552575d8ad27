#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "actors/screen_grid.hpp"
#include "actors/screen_model.hpp"

// The screen layer under libvterm's state layer: what libvterm 0.1.4's own VTermScreen
// (src/screen.c) does with the state's callbacks, on Berth's compact cells. A scroll of whole
// rows rotates row handles and copies the departing row, trimmed, to the scrollback; libvterm
// moves every cell of the region and builds the scrolled-off line cell by cell.

namespace berth::actors {

/// Rows [start_row, end_row) × columns [start_col, end_col), as libvterm's VTermRect.
struct cell_rect {
  /// First row.
  int start_row = 0;
  /// One past the last row.
  int end_row = 0;
  /// First column.
  int start_col = 0;
  /// One past the last column.
  int end_col = 0;
};

/// The primary and alternate screens, the pen, DECSCNM and the primary screen's scrollback;
/// each operation is one of libvterm's state callbacks, with VTermScreen's semantics.
class screen_buffer {
 public:
  /// A rows×cols screen keeping at most scrollback_limit scrolled-off lines. Both buffers
  /// start as VTermScreen's do, before the reset that erases the primary one.
  screen_buffer(int rows, int cols, std::size_t scrollback_limit);

  /// Height in cells.
  int rows() const { return active().rows(); }
  /// Width in cells.
  int cols() const { return active().cols(); }

  /// The pen later glyphs and erases use (libvterm's setpenattr changes one field).
  cell_pen& pen() { return blank_.pen; }

  /// putglyph: a character (base and combining marks, zero-terminated unless six) of
  /// width columns at row, col; the columns after the first become its right half.
  void put_glyph(const std::uint32_t* chars, int width, bool protected_cell, int row, int col) {
    auto& grid = active();
    if (chars[0] != 0 && chars[1] == 0 && width == 1 && row >= 0 && row < grid.rows() && col >= 0 &&
        col < grid.cols()) {  // nearly every glyph: one code point, one column
      auto& cell = grid.cell_to_write(row, col);
      cell = blank_;
      cell.code = chars[0];
      if (protected_cell) cell.pen.attributes |= cell_pen::protected_cell;
      return;
    }
    put_any_glyph(chars, width, protected_cell, row, col);
  }
  /// scrollrect: moves the rect's contents up by downward rows (negative: down) and left by
  /// rightward columns, erasing what they leave; rows leaving the top of a full-width
  /// region of the primary screen go to the scrollback.
  void scroll_rect(cell_rect rect, int downward, int rightward);
  /// erase: erases the rect with the pen; a selective erase keeps protected cells.
  void erase(const cell_rect& rect, bool selective);
  /// setlineinfo to a double-width line: its right half is erased.
  void make_double_width(int row);
  /// The ALTSCREEN property: which buffer is shown and written.
  void show_alternate(bool alternate) { alternate_active_ = alternate; }
  /// The REVERSE property (DECSCNM): every cell's SGR 7 shows inverted.
  void set_reverse(bool reverse) { reverse_ = reverse; }
  /// resize: both buffers take the new size; a primary screen losing rows first scrolls
  /// its bottom-most content (down to the cursor row) up into the scrollback. Returns the
  /// rows the cursor moves by.
  int resize(int rows, int cols, int cursor_row);

  /// A visible row as a snapshot line.
  screen_line visible_line(int row) const;
  /// The scrollback, oldest first, trailing blanks trimmed.
  std::vector<screen_line> scrollback() const;

 private:
  struct scrollback_line {
    std::vector<grid_cell> cells;   // trailing blanks left out
    std::vector<cell_marks> marks;  // parallel to cells, empty when the screen had none
    bool reverse = false;           // DECSCNM when the line left the screen
  };

  void put_any_glyph(const std::uint32_t* chars, int width, bool protected_cell, int row, int col);
  screen_grid& active() { return alternate_active_ ? alternate_ : primary_; }
  const screen_grid& active() const { return alternate_active_ ? alternate_ : primary_; }
  void push_to_scrollback(int row);

  screen_grid primary_;
  screen_grid alternate_;
  bool alternate_active_ = false;
  bool reverse_ = false;
  grid_cell blank_;  // an erased cell drawn with the pen: what a glyph starts from
  std::size_t scrollback_limit_;
  std::deque<scrollback_line> scrollback_;
};

}  // namespace berth::actors
