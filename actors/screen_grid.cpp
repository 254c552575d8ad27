#include "actors/screen_grid.hpp"

#include <algorithm>
#include <cstring>

namespace berth::actors {
namespace {

// A cell that converts to screen_cell{}: the blank a fresh terminal shows.
constexpr grid_cell default_blank{};

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff))
    code_point = 0xfffd;  // not a character: show the replacement character instead
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

screen_cell to_screen_cell(const grid_cell& from, const cell_marks* marks, bool wide,
                           bool reverse) {
  screen_cell cell;
  if (from.code != grid_cell::erased) {
    cell.text.clear();
    append_utf8(cell.text, from.code);
    for (int i = 0; i < from.mark_count; ++i)
      append_utf8(cell.text, (*marks)[static_cast<std::size_t>(i)]);
  }
  cell.width = wide ? 2 : 1;
  const auto bits = from.pen.attributes;
  cell.attributes = {
      (bits & cell_pen::bold) != 0,
      (bits & cell_pen::italic) != 0,
      static_cast<std::uint8_t>((bits & cell_pen::underline_mask) >> cell_pen::underline_shift),
      (bits & cell_pen::blink) != 0,
      ((bits & cell_pen::reverse) != 0) != reverse,
      (bits & cell_pen::strike) != 0};
  cell.foreground = from.pen.foreground;
  cell.background = from.pen.background;
  return cell;
}

}  // namespace

screen_cell to_screen_pen(const cell_pen& pen) {
  grid_cell blank;
  blank.pen = pen;
  return to_screen_cell(blank, nullptr, false, false);
}

screen_line to_screen_line(const grid_cell* cells, const cell_marks* marks, int count,
                           bool reverse) {
  screen_line line;
  line.reserve(static_cast<std::size_t>(count));
  for (int col = 0; col < count; ++col) {
    if (cells[col].code == grid_cell::wide_continuation) continue;
    const bool wide = col + 1 < count && cells[col + 1].code == grid_cell::wide_continuation;
    line.push_back(to_screen_cell(cells[col], marks ? marks + col : nullptr, wide, reverse));
  }
  return line;
}

bool shows_blank(const grid_cell& cell, const grid_cell* next, bool reverse) {
  const bool space = cell.code == grid_cell::erased || (cell.code == ' ' && cell.mark_count == 0);
  const auto shown = static_cast<std::uint8_t>((cell.pen.attributes & ~cell_pen::protected_cell) ^
                                               (reverse ? cell_pen::reverse : 0));
  return space && shown == 0 && cell.pen.foreground == screen_color{} &&
         cell.pen.background == screen_color{} &&
         (next == nullptr || next->code != grid_cell::wide_continuation);
}

screen_grid::screen_grid(int rows, int cols, const cell_pen& fill)
    : rows_(rows),
      cols_(cols),
      cells_(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols),
             grid_cell{grid_cell::erased, fill, 0}) {
  const int blank_from = fill == cell_pen{} ? 0 : cols;
  handles_.reserve(static_cast<std::size_t>(rows));
  for (int row = 0; row < rows; ++row)
    handles_.push_back({row, blank_from});
}

const cell_marks* screen_grid::marks(int row) const {
  return marks_.empty() ? nullptr : marks_.data() + offset(row);
}

cell_marks* screen_grid::writable_marks(int row) {
  if (marks_.empty()) marks_.resize(cells_.size());
  return marks_.data() + offset(row);
}

void screen_grid::touch(int row, int end_col) {
  auto& blank_from = handle(row).blank_from;
  blank_from = std::max(blank_from, std::min(end_col, cols_));
}

bool screen_grid::holds_no_character(int row) const {
  const auto* cells = this->row(row);
  // Past blank_from every cell is erased already.
  for (int col = 0; col < blank_from(row); ++col)
    if (cells[col].code != grid_cell::erased) return false;
  return true;
}

void screen_grid::erase(int row, int start_col, int end_col, const cell_pen& pen, bool selective) {
  start_col = std::max(start_col, 0);
  end_col = std::min(end_col, cols_);
  if (row < 0 || row >= rows_ || start_col >= end_col) return;
  auto* cells = this->row(row);
  const grid_cell blank{grid_cell::erased, pen, 0};
  auto& blank_from = handle(row).blank_from;
  if (!(blank == default_blank)) {
    blank_from = std::max(blank_from, end_col);
  } else if (start_col >= blank_from) {
    return;  // default blanks already
  } else if (!selective && end_col >= blank_from) {
    end_col = blank_from;  // the cells after it are default blanks already
    blank_from = start_col;
  }
  if (selective) {
    for (int col = start_col; col < end_col; ++col)
      if ((cells[col].pen.attributes & cell_pen::protected_cell) == 0) cells[col] = blank;
  } else {
    std::fill(cells + start_col, cells + end_col, blank);
  }
}

void screen_grid::move_cells(int dest_row, int dest_col, int src_row, int src_col, int count) {
  if (count <= 0) return;
  std::memmove(row(dest_row) + dest_col, row(src_row) + src_col,
               static_cast<std::size_t>(count) * sizeof(grid_cell));
  if (!marks_.empty())
    std::memmove(writable_marks(dest_row) + dest_col, writable_marks(src_row) + src_col,
                 static_cast<std::size_t>(count) * sizeof(cell_marks));
  touch(dest_row, dest_col + count);
}

void screen_grid::rotate_rows(int start_row, int end_row, int upward) {
  if (start_row == 0 && end_row == rows_) {  // the whole screen, as every line feed at the bottom
    top_ = (top_ + upward + rows_) % rows_;
    return;
  }
  const int count = end_row - start_row;
  const int first_kept = start_row + (upward % count + count) % count;  // comes to start_row
  const auto reverse = [this](int first, int last) {
    for (--last; first < last; ++first, --last)
      std::swap(handle(first), handle(last));
  };
  reverse(start_row, first_kept);  // a rotation is three reversals, and allocates nothing
  reverse(first_kept, end_row);
  reverse(start_row, end_row);
}

screen_grid screen_grid::resized(int rows, int cols, const cell_pen& fill) const {
  screen_grid grid(rows, cols, fill);
  const int kept_rows = std::min(rows, rows_);
  const int kept_cols = std::min(cols, cols_);
  for (int row = 0; row < kept_rows; ++row) {
    std::copy_n(this->row(row), kept_cols, grid.row(row));
    if (!marks_.empty()) std::copy_n(marks(row), kept_cols, grid.writable_marks(row));
    // Columns beyond the old ones hold fill; those before keep what the row had.
    const bool filled = kept_cols < cols && !(fill == cell_pen{});
    grid.handle(row).blank_from = filled ? cols : std::min(blank_from(row), cols);
  }
  return grid;
}

}  // namespace berth::actors
