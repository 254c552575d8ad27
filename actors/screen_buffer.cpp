#include "actors/screen_buffer.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace berth::actors {
namespace {

// VTermScreen starts with a zeroed pen, whose colours are 24-bit black (not the defaults);
// both buffers are made with it before the first reset sets the real pen.
constexpr screen_color zeroed_color{screen_color::kind::rgb, 0, 0, 0, 0};
constexpr cell_pen zeroed_pen{zeroed_color, zeroed_color, 0};

void trim_blank_tail(screen_line& line) {
  while (!line.empty() && line.back() == screen_cell{})
    line.pop_back();
}

bool inside(const cell_rect& rect, int rows, int cols) {
  return rect.start_row >= 0 && rect.end_row <= rows && rect.start_col >= 0 && rect.end_col <= cols;
}

}  // namespace

screen_buffer::screen_buffer(int rows, int cols, std::size_t scrollback_limit)
    : primary_(rows, cols, zeroed_pen),
      alternate_(rows, cols, zeroed_pen),
      blank_{grid_cell::erased, zeroed_pen, 0},
      scrollback_limit_(scrollback_limit) {}

void screen_buffer::put_any_glyph(const std::uint32_t* chars, int width, bool protected_cell,
                                  int row, int col) {
  auto& grid = active();
  if (row < 0 || row >= grid.rows() || col < 0 || col >= grid.cols()) return;
  auto* cells = grid.row(row);
  auto& cell = cells[col];
  int count = 0;
  while (count <= max_marks_per_cell && chars[count] != 0)
    ++count;
  cell.code = count > 0 ? chars[0] : grid_cell::erased;
  cell.mark_count = static_cast<std::uint8_t>(std::max(count - 1, 0));
  if (count > 0) cell.pen = blank_.pen;  // libvterm leaves the pen of a glyph without characters
  if (count > 1) std::copy(chars + 1, chars + count, grid.writable_marks(row)[col].begin());
  if (protected_cell)
    cell.pen.attributes |= cell_pen::protected_cell;
  else
    cell.pen.attributes &= static_cast<std::uint8_t>(~cell_pen::protected_cell);
  // libvterm writes past the row for a glyph wider than the screen; this stops at its end.
  for (int right = col + 1; right < col + width && right < grid.cols(); ++right)
    cells[right].code = grid_cell::wide_continuation;
  grid.touch(row, col + std::max(width, 1));
}

void screen_buffer::scroll_rect(cell_rect rect, int downward, int rightward) {
  auto& grid = active();
  // A cursor left of the screen (after a glyph of negative width) makes such a rect; there is
  // nothing to move, where libvterm's own screen wrote through a null cell.
  if (!inside(rect, grid.rows(), grid.cols())) return;
  const int height = rect.end_row - rect.start_row;
  const int width = rect.end_col - rect.start_col;
  if (std::abs(downward) >= height || std::abs(rightward) >= width) {
    erase(rect, false);  // all of it scrolls out: erased, and nothing reaches the scrollback
    return;
  }
  // Where the cells that stay come from and go to (libvterm's vterm_scroll_rect).
  const int moved_cols = width - std::abs(rightward);
  const int dest_col = rightward >= 0 ? rect.start_col : rect.start_col - rightward;
  const int src_col = rightward >= 0 ? rect.start_col + rightward : rect.start_col;
  const int dest_start_row = downward >= 0 ? rect.start_row : rect.start_row - downward;
  const int dest_end_row = downward >= 0 ? rect.end_row - downward : rect.end_row;
  if (!alternate_active_ && dest_start_row == 0 && dest_col == 0 &&
      dest_col + moved_cols == grid.cols()) {
    for (int row = 0; row < rect.start_row + std::max(downward, 0); ++row)
      push_to_scrollback(row);
  }
  if (rightward == 0 && width == grid.cols()) {
    // Whole rows: the ones that leave come back at the other end, to be erased below.
    grid.rotate_rows(rect.start_row, rect.end_row, downward);
  } else if (downward >= 0) {
    for (int row = dest_start_row; row < dest_end_row; ++row)
      grid.move_cells(row, dest_col, row + downward, src_col, moved_cols);
  } else {
    for (int row = dest_end_row - 1; row >= dest_start_row; --row)
      grid.move_cells(row, dest_col, row + downward, src_col, moved_cols);
  }
  // What the move left behind (both narrowings apply to one rect, as in libvterm).
  if (downward > 0)
    rect.start_row = rect.end_row - downward;
  else if (downward < 0)
    rect.end_row = rect.start_row - downward;
  if (rightward > 0)
    rect.start_col = rect.end_col - rightward;
  else if (rightward < 0)
    rect.end_col = rect.start_col - rightward;
  erase(rect, false);
}

void screen_buffer::erase(const cell_rect& rect, bool selective) {
  auto& grid = active();
  const int end_row = std::min(rect.end_row, grid.rows());
  for (int row = std::max(rect.start_row, 0); row < end_row; ++row)
    grid.erase(row, rect.start_col, rect.end_col, blank_.pen, selective);
}

void screen_buffer::make_double_width(int row) {
  erase({row, row + 1, cols() / 2, cols()}, false);
}

int screen_buffer::resize(int rows, int cols, int cursor_row) {
  const int old_rows = this->rows();
  int cursor_moves = 0;
  if (!alternate_active_ && rows < old_rows) {
    // Rows below the cursor that hold nothing are dropped; the rest scroll up.
    int row = old_rows - 1;
    for (; row >= rows; --row)
      if (!primary_.holds_no_character(row) || row == cursor_row) break;
    const int first_blank_row = row + 1;
    if (first_blank_row > rows) {
      scroll_rect({0, old_rows, 0, this->cols()}, first_blank_row - rows, 0);
      cursor_moves = rows - first_blank_row;
    }
  }
  primary_ = primary_.resized(rows, cols, blank_.pen);
  alternate_ = alternate_.resized(rows, cols, blank_.pen);
  return cursor_moves;
}

screen_line screen_buffer::visible_line(int row) const {
  const auto& grid = active();
  return to_screen_line(grid.row(row), grid.marks(row), grid.cols(), reverse_);
}

std::vector<screen_line> screen_buffer::scrollback() const {
  std::vector<screen_line> lines;
  lines.reserve(scrollback_.size());
  for (const auto& kept : scrollback_) {
    auto line = to_screen_line(kept.cells.data(), kept.marks.empty() ? nullptr : kept.marks.data(),
                               static_cast<int>(kept.cells.size()), kept.reverse);
    trim_blank_tail(line);
    lines.push_back(std::move(line));
  }
  return lines;
}

void screen_buffer::push_to_scrollback(int row) {
  if (scrollback_limit_ == 0) return;
  const auto& grid = primary_;
  const auto* cells = grid.row(row);
  const int cols = grid.cols();
  // Under DECSCNM a default blank shows reversed, so the whole row may count.
  int used = reverse_ ? cols : grid.blank_from(row);
  while (used > 0 && shows_blank(cells[used - 1], used < cols ? &cells[used] : nullptr, reverse_))
    --used;
  scrollback_line line;
  if (scrollback_.size() >= scrollback_limit_) {
    line = std::move(scrollback_.front());  // the oldest line's storage is used again
    scrollback_.pop_front();
  }
  line.cells.assign(cells, cells + used);
  if (const auto* marks = grid.marks(row))
    line.marks.assign(marks, marks + used);
  else
    line.marks.clear();
  line.reverse = reverse_;
  scrollback_.push_back(std::move(line));
}

}  // namespace berth::actors
