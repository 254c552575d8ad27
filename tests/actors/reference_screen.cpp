#include "tests/actors/reference_screen.hpp"

#include <vterm.h>

#include <algorithm>
#include <deque>
#include <utility>

#include "tests/actors/reference_scanner.hpp"

// The screen model before it kept its own cells (git history: actors/screen_model.cpp at the
// commit before "Screen model: own cells ..."), unchanged but for its name and for its byte
// scanner living in reference_scanner: the standard the differential tests hold screen_model
// to.

namespace berth::actors {
namespace {

// A title is shown in a tab; anything longer than this is an application misbehaving.
constexpr std::size_t max_title_bytes = 1024;
// The probes below expect a few dozen bytes; the cap only guards against surprises.
constexpr std::size_t max_probe_bytes = 256;
// libvterm marks the right half of a wide character with this code point.
constexpr std::uint32_t wide_continuation = 0xffffffff;

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

screen_color to_color(const VTermColor& color, bool is_default) {
  if (is_default) return {};
  if (VTERM_COLOR_IS_INDEXED(&color))
    return {screen_color::kind::indexed, color.indexed.idx, 0, 0, 0};
  return {screen_color::kind::rgb, 0, color.rgb.red, color.rgb.green, color.rgb.blue};
}

screen_cell to_cell(const VTermScreenCell& from) {
  screen_cell cell;
  if (from.chars[0] != 0) {
    cell.text.clear();
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && from.chars[i] != 0; ++i)
      append_utf8(cell.text, from.chars[i]);
  }
  cell.width = from.width == 2 ? 2 : 1;
  cell.attributes = {from.attrs.bold != 0,
                     from.attrs.italic != 0,
                     static_cast<std::uint8_t>(from.attrs.underline),
                     from.attrs.blink != 0,
                     from.attrs.reverse != 0,
                     from.attrs.strike != 0};
  cell.foreground = to_color(from.fg, VTERM_COLOR_IS_DEFAULT_FG(&from.fg));
  cell.background = to_color(from.bg, VTERM_COLOR_IS_DEFAULT_BG(&from.bg));
  return cell;
}

/// A cell that converts to a blank screen_cell: nothing or a space, default colours, no
/// attributes.
bool is_blank_cell(const VTermScreenCell& cell) {
  const auto& a = cell.attrs;
  return (cell.chars[0] == 0 || (cell.chars[0] == ' ' && cell.chars[1] == 0)) &&
         VTERM_COLOR_IS_DEFAULT_FG(&cell.fg) && VTERM_COLOR_IS_DEFAULT_BG(&cell.bg) &&
         a.bold == 0 && a.italic == 0 && a.underline == 0 && a.blink == 0 && a.reverse == 0 &&
         a.strike == 0 && cell.width <= 1;
}

bool is_blank(const screen_cell& cell) {
  return cell.text == " " && cell == screen_cell{};
}

// Cells left to right, without wide characters' right halves.
screen_line to_line(int cols, const VTermScreenCell* cells) {
  screen_line line;
  line.reserve(static_cast<std::size_t>(cols));
  for (int col = 0; col < cols; ++col)
    if (cells[col].chars[0] != wide_continuation) line.push_back(to_cell(cells[col]));
  return line;
}

void trim_blank_tail(screen_line& line) {
  while (!line.empty() && is_blank(line.back()))
    line.pop_back();
}

int clamp_dimension(int value) {
  return std::clamp(value, 1, screen_model::max_dimension);
}

}  // namespace

struct reference_screen::impl final : scanner_sink {
  VTerm* vt = nullptr;
  VTermScreen* screen = nullptr;
  VTermState* state = nullptr;
  std::size_t scrollback_limit = 0;
  /// libvterm's own cells, converted only when a snapshot is taken: scrolling is the hot
  /// path (`cat` of a big file), snapshots are rare.
  std::deque<std::vector<VTermScreenCell>> scrollback;
  bool cursor_visible = true;
  bool alt_screen = false;
  mouse_tracking mouse = mouse_tracking::none;
  std::string title;
  // vterm answers queries (DA, DSR) and encodes keys on its output callback; those bytes
  // are discarded except while a mode probe is listening.
  bool probing = false;
  std::string probe_output;

  reference_scanner scanner;  ///< the bytes on their way to libvterm

  impl(int rows, int cols, std::size_t limit) : scrollback_limit(limit) {
    vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    vterm_output_set_callback(vt, &impl::on_output, this);
    screen = vterm_obtain_screen(vt);
    state = vterm_obtain_state(vt);
    scanner.sink = this;
    static constexpr VTermScreenCallbacks callbacks = {
        .damage = nullptr,
        .moverect = nullptr,
        .movecursor = nullptr,
        .settermprop = &impl::on_termprop,
        .bell = nullptr,
        .resize = nullptr,
        .sb_pushline = &impl::on_pushline,
        .sb_popline = nullptr,
    };
    vterm_screen_set_callbacks(screen, &callbacks, this);
    vterm_screen_enable_altscreen(screen, 1);  // otherwise ?1049 draws over the primary screen
    vterm_screen_reset(screen, 1);
  }

  ~impl() override { vterm_free(vt); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  void interpret(std::string_view bytes) override {
    vterm_input_write(vt, bytes.data(), bytes.size());
  }
  void steer(std::string_view bytes) override { vterm_input_write(vt, bytes.data(), bytes.size()); }
  void cursor_restored() override {}

  // The character again, up to the row's end.
  void repeat(std::string_view glyph, int count) override {
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    int rows = 0;
    int cols = 0;
    vterm_get_size(vt, &rows, &cols);
    count = std::clamp(count, 1, std::max(1, cols - cursor.col));
    std::string copies;
    for (int copy = 0; copy < count; ++copy)
      copies += glyph;
    vterm_input_write(vt, copies.data(), copies.size());
  }

  static void on_output(const char* bytes, std::size_t length, void* user) {
    auto* self = static_cast<impl*>(user);
    if (!self->probing || self->probe_output.size() + length > max_probe_bytes) return;
    self->probe_output.append(bytes, length);
  }

  static int on_termprop(VTermProp prop, VTermValue* value, void* user) {
    auto* self = static_cast<impl*>(user);
    switch (prop) {
      case VTERM_PROP_CURSORVISIBLE:
        self->cursor_visible = value->boolean != 0;
        break;
      case VTERM_PROP_ALTSCREEN:
        self->alt_screen = value->boolean != 0;
        break;
      case VTERM_PROP_TITLE:
        self->title.assign(value->string ? value->string : "");
        if (self->title.size() > max_title_bytes) self->title.resize(max_title_bytes);
        break;
      case VTERM_PROP_MOUSE:
        self->mouse = value->number == VTERM_PROP_MOUSE_CLICK  ? mouse_tracking::click
                      : value->number == VTERM_PROP_MOUSE_DRAG ? mouse_tracking::drag
                      : value->number == VTERM_PROP_MOUSE_MOVE ? mouse_tracking::move
                                                               : mouse_tracking::none;
        break;
      default:
        break;
    }
    return 1;
  }

  static int on_pushline(int cols, const VTermScreenCell* cells, void* user) {
    auto* self = static_cast<impl*>(user);
    if (self->scrollback_limit == 0) return 1;
    // Blank cells at the end are not kept (the snapshot trims them anyway).
    int used = cols;
    while (used > 0 && is_blank_cell(cells[used - 1]))
      --used;
    self->scrollback.emplace_back(cells, cells + used);
    if (self->scrollback.size() > self->scrollback_limit) self->scrollback.pop_front();
    return 1;
  }

  // What vterm writes back for an action; modes it keeps private show up only here.
  template <class Action>
  std::string probe(Action action) {
    probing = true;
    probe_output.clear();
    action();
    probing = false;
    return std::move(probe_output);
  }

  bool probe_bracketed_paste() {
    return probe([&] {
             vterm_keyboard_start_paste(vt);
             vterm_keyboard_end_paste(vt);
           })
        .starts_with("\x1b[200~");
  }

  // The state's pen, read through libvterm's own accessor (not the model's callbacks).
  screen_cell pen() const {
    screen_cell cell;
    VTermValue value{};
    const auto flag = [&](VTermAttr attribute) {
      vterm_state_get_penattr(state, attribute, &value);
      return value.boolean != 0;
    };
    cell.attributes.bold = flag(VTERM_ATTR_BOLD);
    cell.attributes.italic = flag(VTERM_ATTR_ITALIC);
    cell.attributes.blink = flag(VTERM_ATTR_BLINK);
    cell.attributes.reverse = flag(VTERM_ATTR_REVERSE);
    cell.attributes.strike = flag(VTERM_ATTR_STRIKE);
    vterm_state_get_penattr(state, VTERM_ATTR_UNDERLINE, &value);
    cell.attributes.underline = static_cast<std::uint8_t>(value.number & 3);
    vterm_state_get_penattr(state, VTERM_ATTR_FOREGROUND, &value);
    cell.foreground = to_color(value.color, VTERM_COLOR_IS_DEFAULT_FG(&value.color));
    vterm_state_get_penattr(state, VTERM_ATTR_BACKGROUND, &value);
    cell.background = to_color(value.color, VTERM_COLOR_IS_DEFAULT_BG(&value.color));
    return cell;
  }

  std::string ask(std::string_view request) {
    return probe([&] { vterm_input_write(vt, request.data(), request.size()); });
  }

  bool probe_application_cursor() {
    return probe([&] { vterm_keyboard_key(vt, VTERM_KEY_UP, VTERM_MOD_NONE); }) == "\x1bOA";
  }

  // A click reports nothing unless tracking is on, so tracking is switched on for the probe
  // and restored; the encoding (?1006) is independent of the tracking mode.
  bool probe_sgr_mouse() {
    const auto tracking = mouse;
    VTermValue value{};
    if (tracking == mouse_tracking::none) {
      value.number = VTERM_PROP_MOUSE_CLICK;
      vterm_state_set_termprop(state, VTERM_PROP_MOUSE, &value);
    }
    const auto report = probe([&] {
      vterm_mouse_button(vt, 1, true, VTERM_MOD_NONE);
      vterm_mouse_button(vt, 1, false, VTERM_MOD_NONE);
    });
    if (tracking == mouse_tracking::none) {
      value.number = VTERM_PROP_MOUSE_NONE;
      vterm_state_set_termprop(state, VTERM_PROP_MOUSE, &value);
    }
    return report.starts_with("\x1b[<");
  }

  screen_line visible_line(int row, int cols) const {
    screen_line line;
    line.reserve(static_cast<std::size_t>(cols));
    for (int col = 0; col < cols; ++col) {
      VTermScreenCell cell{};
      vterm_screen_get_cell(screen, VTermPos{row, col}, &cell);
      if (cell.chars[0] != wide_continuation) line.push_back(to_cell(cell));
    }
    return line;
  }
};

reference_screen::reference_screen(int rows, int cols, std::size_t scrollback_lines)
    : impl_(
          std::make_unique<impl>(clamp_dimension(rows), clamp_dimension(cols), scrollback_lines)) {}

reference_screen::~reference_screen() = default;
reference_screen::reference_screen(reference_screen&&) noexcept = default;
reference_screen& reference_screen::operator=(reference_screen&&) noexcept = default;

void reference_screen::feed(std::string_view bytes) {
  impl_->scanner.feed(bytes);
}

void reference_screen::resize(int rows, int cols) {
  vterm_set_size(impl_->vt, clamp_dimension(rows), clamp_dimension(cols));
}

std::int64_t reference_screen::interpreted_bytes() const {
  return impl_->scanner.interpreted_bytes;
}

screen_snapshot reference_screen::take_snapshot() const {
  auto& model = *impl_;
  screen_snapshot snapshot;
  vterm_get_size(model.vt, &snapshot.rows, &snapshot.cols);
  snapshot.lines.reserve(static_cast<std::size_t>(snapshot.rows));
  for (int row = 0; row < snapshot.rows; ++row)
    snapshot.lines.push_back(model.visible_line(row, snapshot.cols));
  if (!model.alt_screen) {
    snapshot.scrollback.reserve(model.scrollback.size());
    for (const auto& raw : model.scrollback) {
      auto line = to_line(static_cast<int>(raw.size()), raw.data());
      trim_blank_tail(line);
      snapshot.scrollback.push_back(std::move(line));
    }
  }
  VTermPos cursor{};
  vterm_state_get_cursorpos(model.state, &cursor);
  snapshot.cursor_row = cursor.row;
  snapshot.cursor_col = cursor.col;
  snapshot.cursor_visible = model.cursor_visible;
  snapshot.alt_screen = model.alt_screen;
  snapshot.bracketed_paste = model.probe_bracketed_paste();
  snapshot.application_cursor = model.probe_application_cursor();
  snapshot.mouse = model.mouse;
  snapshot.sgr_mouse = model.probe_sgr_mouse();
  snapshot.title = model.title;
  snapshot.pen = model.pen();
  read_layout_reports(snapshot, [&](std::string_view request) { return model.ask(request); });
  return snapshot;
}

std::string reference_screen::screen_text() const {
  int rows = 0;
  int cols = 0;
  vterm_get_size(impl_->vt, &rows, &cols);
  std::string text;
  for (int row = 0; row < rows; ++row) {
    if (row > 0) text += '\n';
    const auto start = text.size();
    for (const auto& cell : impl_->visible_line(row, cols))
      text += cell.text;
    const auto last = text.find_last_not_of(' ');
    text.resize(last == std::string::npos || last < start ? start : last + 1);
  }
  return text;
}

}  // namespace berth::actors
