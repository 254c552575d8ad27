#include <string>

#include "actors/screen_model.hpp"

// Rendering a screen snapshot as VT text that reproduces it in a fresh terminal (xterm.js or
// libvterm) of the same size: RIS, then the lines, the scroll region, the cursor, the modes,
// the title and the pen.

namespace berth::actors {
namespace {

bool is_blank(const screen_cell& cell) {
  return cell.text == " " && cell == screen_cell{};
}

void append_color(std::string& out, const screen_color& color, int base, int bright_base) {
  switch (color.type) {
    case screen_color::kind::default_color:
      return;
    case screen_color::kind::indexed:
      if (color.index < 8)
        out += ';' + std::to_string(base + color.index);
      else if (color.index < 16)
        out += ';' + std::to_string(bright_base + color.index - 8);
      else
        out += ';' + std::to_string(base + 8) + ";5;" + std::to_string(color.index);
      return;
    case screen_color::kind::rgb:
      out += ';' + std::to_string(base + 8) + ";2;" + std::to_string(color.red) + ';' +
             std::to_string(color.green) + ';' + std::to_string(color.blue);
      return;
  }
}

// One SGR that sets everything from scratch: simpler than diffing and never leaves a stale
// attribute behind.
void append_sgr(std::string& out, const screen_cell& cell) {
  const auto& attributes = cell.attributes;
  out += "\x1b[0";
  if (attributes.bold) out += ";1";
  if (attributes.italic) out += ";3";
  if (attributes.underline == 1) out += ";4";
  if (attributes.underline > 1) out += ";4:" + std::to_string(attributes.underline);
  if (attributes.blink) out += ";5";
  if (attributes.reverse) out += ";7";
  if (attributes.strike) out += ";9";
  append_color(out, cell.foreground, 30, 90);
  append_color(out, cell.background, 40, 100);
  out += 'm';
}

struct line_writer {
  std::string& out;
  screen_cell pen;  // the attributes the terminal will give the next character

  void write(const screen_line& line) {
    auto end = line.size();
    while (end > 0 && is_blank(line[end - 1]))
      --end;  // a fresh terminal is blank already
    for (std::size_t i = 0; i < end; ++i) {
      const auto& cell = line[i];
      if (!same_pen(cell)) {
        append_sgr(out, cell);
        pen = cell;
      }
      out += cell.text;
    }
  }

  // Called before CR LF: a scrolled-in line takes the current background (xterm's BCE).
  void reset_pen() {
    if (same_pen(screen_cell{})) return;
    out += "\x1b[0m";
    pen = {};
  }

  bool same_pen(const screen_cell& cell) const {
    return cell.attributes == pen.attributes && cell.foreground == pen.foreground &&
           cell.background == pen.background;
  }
};

void append_mode(std::string& out, int mode) {
  out += "\x1b[?" + std::to_string(mode) + 'h';
}

}  // namespace

std::string render_vt(const screen_snapshot& snapshot) {
  std::string out =
      "\x1b"
      "c";  // RIS: whatever the terminal showed before is gone
  if (snapshot.alt_screen) append_mode(out, 1049);
  line_writer writer{out, {}};
  for (const auto& line : snapshot.scrollback) {
    writer.write(line);
    writer.reset_pen();
    out += "\r\n";
  }
  for (std::size_t row = 0; row < snapshot.lines.size(); ++row) {
    if (row > 0) {
      writer.reset_pen();
      out += "\r\n";
    }
    writer.write(snapshot.lines[row]);
  }
  writer.reset_pen();
  // The scroll region and origin mode (each homes the cursor), then the cursor, relative to
  // the region's top under origin mode.
  if (snapshot.scroll_top != 0 || snapshot.scroll_bottom != snapshot.rows) {
    out += "\x1b[" + std::to_string(snapshot.scroll_top + 1) + ';' +
           std::to_string(snapshot.scroll_bottom) + 'r';
  }
  if (snapshot.origin_mode) append_mode(out, 6);
  const auto cursor_row = snapshot.cursor_row - (snapshot.origin_mode ? snapshot.scroll_top : 0);
  out += "\x1b[" + std::to_string(cursor_row + 1) + ';' + std::to_string(snapshot.cursor_col + 1) +
         'H';
  if (!snapshot.auto_wrap) out += "\x1b[?7l";
  // RIS left every mode off and the cursor visible, so only the differences are sent; a
  // reset of one mouse mode would switch off tracking altogether.
  if (snapshot.bracketed_paste) append_mode(out, 2004);
  if (snapshot.application_cursor) append_mode(out, 1);
  if (snapshot.mouse == mouse_tracking::click) append_mode(out, 1000);
  if (snapshot.mouse == mouse_tracking::drag) append_mode(out, 1002);
  if (snapshot.mouse == mouse_tracking::move) append_mode(out, 1003);
  if (snapshot.sgr_mouse) append_mode(out, 1006);
  if (!snapshot.cursor_visible) out += "\x1b[?25l";
  if (!snapshot.title.empty()) {
    out += "\x1b]2;";
    for (const char byte : snapshot.title)
      if (static_cast<unsigned char>(byte) >= 0x20 && byte != 0x7f) out += byte;  // no escapes
    out += '\a';
  }
  // Last, the pen the next output is printed with.
  if (!writer.same_pen(snapshot.pen)) append_sgr(out, snapshot.pen);
  return out;
}

}  // namespace berth::actors
