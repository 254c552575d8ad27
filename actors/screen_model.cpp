#include "actors/screen_model.hpp"

#include <vterm.h>

#include <algorithm>
#include <string>
#include <utility>

#include "actors/output_scanner.hpp"
#include "actors/screen_buffer.hpp"

// libvterm's state layer (parser, cursor, modes, margins, pen) drives Berth's own screen
// layer (screen_buffer); libvterm's VTermScreen is not used: it moves every cell of the
// screen on each line feed at the bottom and builds each scrolled-off line cell by cell.

namespace berth::actors {
namespace {

// A title is shown in a tab; anything longer than this is an application misbehaving.
constexpr std::size_t max_title_bytes = 1024;
// The probes below expect a few dozen bytes; the cap only guards against surprises.
constexpr std::size_t max_probe_bytes = 256;

// The form a snapshot shows; a foreground is default by VTERM_COLOR_DEFAULT_FG, a
// background by VTERM_COLOR_DEFAULT_BG (libvterm's flag for the other one does not count).
screen_color to_color(const VTermColor& color, bool is_default) {
  if (is_default) return {};
  if (VTERM_COLOR_IS_INDEXED(&color))
    return {screen_color::kind::indexed, color.indexed.idx, 0, 0, 0};
  return {screen_color::kind::rgb, 0, color.rgb.red, color.rgb.green, color.rgb.blue};
}

void set_flag(cell_pen& pen, std::uint8_t flag, bool on) {
  pen.attributes = static_cast<std::uint8_t>(on ? pen.attributes | flag : pen.attributes & ~flag);
}

int clamp_dimension(int value) {
  return std::clamp(value, 1, screen_model::max_dimension);
}

}  // namespace

struct screen_model::impl final : scanner_sink {
  VTerm* vt = nullptr;
  VTermState* state = nullptr;
  screen_buffer screen;
  bool cursor_visible = true;
  bool alt_screen = false;
  mouse_tracking mouse = mouse_tracking::none;
  std::string title;
  // vterm answers queries (DA, DSR) and encodes keys on its output callback; those bytes
  // are discarded except while a mode probe is listening.
  bool probing = false;
  std::string probe_output;
  output_scanner scanner;

  impl(int rows, int cols, std::size_t limit) : screen(rows, cols, limit) {
    vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    vterm_output_set_callback(vt, &impl::on_output, this);
    state = vterm_obtain_state(vt);
    static constexpr VTermStateCallbacks callbacks = {
        .putglyph = &impl::on_putglyph,
        .movecursor = nullptr,
        .scrollrect = &impl::on_scrollrect,
        .moverect = nullptr,
        .erase = &impl::on_erase,
        .initpen = nullptr,
        .setpenattr = &impl::on_penattr,
        .settermprop = &impl::on_termprop,
        .bell = nullptr,
        .resize = &impl::on_resize,
        .setlineinfo = &impl::on_lineinfo,
    };
    vterm_state_set_callbacks(state, &callbacks, this);
    vterm_state_reset(state, 1);  // as vterm_screen_reset(screen, 1)
  }

  ~impl() override { vterm_free(vt); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  static void on_output(const char* bytes, std::size_t length, void* user) {
    auto* self = static_cast<impl*>(user);
    if (!self->probing || self->probe_output.size() + length > max_probe_bytes) return;
    self->probe_output.append(bytes, length);
  }

  static int on_putglyph(VTermGlyphInfo* info, VTermPos pos, void* user) {
    static_cast<impl*>(user)->screen.put_glyph(info->chars, info->width, info->protected_cell != 0,
                                               pos.row, pos.col);
    return 1;
  }

  static int on_scrollrect(VTermRect rect, int downward, int rightward, void* user) {
    static_cast<impl*>(user)->screen.scroll_rect(
        {rect.start_row, rect.end_row, rect.start_col, rect.end_col}, downward, rightward);
    return 1;
  }

  static int on_erase(VTermRect rect, int selective, void* user) {
    static_cast<impl*>(user)->screen.erase(
        {rect.start_row, rect.end_row, rect.start_col, rect.end_col}, selective != 0);
    return 1;
  }

  static int on_penattr(VTermAttr attribute, VTermValue* value, void* user) {
    auto& pen = static_cast<impl*>(user)->screen.pen();
    switch (attribute) {
      case VTERM_ATTR_BOLD:
        set_flag(pen, cell_pen::bold, value->boolean != 0);
        return 1;
      case VTERM_ATTR_UNDERLINE:
        pen.attributes = static_cast<std::uint8_t>(
            (pen.attributes & ~cell_pen::underline_mask) |
            ((value->number & 3) << cell_pen::underline_shift));  // libvterm's 2-bit field
        return 1;
      case VTERM_ATTR_ITALIC:
        set_flag(pen, cell_pen::italic, value->boolean != 0);
        return 1;
      case VTERM_ATTR_BLINK:
        set_flag(pen, cell_pen::blink, value->boolean != 0);
        return 1;
      case VTERM_ATTR_REVERSE:
        set_flag(pen, cell_pen::reverse, value->boolean != 0);
        return 1;
      case VTERM_ATTR_STRIKE:
        set_flag(pen, cell_pen::strike, value->boolean != 0);
        return 1;
      case VTERM_ATTR_FOREGROUND:
        pen.foreground = to_color(value->color, VTERM_COLOR_IS_DEFAULT_FG(&value->color));
        return 1;
      case VTERM_ATTR_BACKGROUND:
        pen.background = to_color(value->color, VTERM_COLOR_IS_DEFAULT_BG(&value->color));
        return 1;
      default:  // the font: no snapshot shows it
        return 1;
    }
  }

  static int on_termprop(VTermProp prop, VTermValue* value, void* user) {
    auto* self = static_cast<impl*>(user);
    switch (prop) {
      case VTERM_PROP_CURSORVISIBLE:
        self->cursor_visible = value->boolean != 0;
        break;
      case VTERM_PROP_ALTSCREEN:
        self->screen.show_alternate(value->boolean != 0);
        self->alt_screen = value->boolean != 0;
        break;
      case VTERM_PROP_REVERSE:
        self->screen.set_reverse(value->boolean != 0);
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

  static int on_resize(int rows, int cols, VTermPos* delta, void* user) {
    auto* self = static_cast<impl*>(user);
    VTermPos cursor{};
    vterm_state_get_cursorpos(self->state, &cursor);  // still the old position
    // Rows above the cursor may scroll away; libvterm 0.1.4 then moves the cursor above the
    // screen and reads and writes its per-row array there (clamped upstream only later).
    delta->row = std::max(delta->row + self->screen.resize(rows, cols, cursor.row), -cursor.row);
    return 1;
  }

  static int on_lineinfo(int row, const VTermLineInfo* now, const VTermLineInfo* before,
                         void* user) {
    auto* self = static_cast<impl*>(user);
    // libvterm 0.1.4 restores a saved cursor (DECRC, ?1049l) below a screen that has since
    // lost rows; its line attributes for that row lie past its array. Refused here, it does
    // not store them (DECDWL and DECDHL); VTermScreen crashed.
    if (row < 0 || row >= self->screen.rows()) return 0;
    const bool changed =
        now->doublewidth != before->doublewidth || now->doubleheight != before->doubleheight;
    if (changed && now->doublewidth) self->screen.make_double_width(row);
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

  /// What libvterm answers to a request written into it.
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

  // libvterm 0.1.4 restores a saved cursor (DECRC, ?1049l) where it was saved, also below
  // or right of a screen that has since shrunk, and then indexes its per-row and tab-stop
  // arrays with it (a write past them: HTS). Any CSI clamps the cursor to the screen; CHA
  // to the column it is on (or the last one) moves it no further.
  void cursor_restored() override {
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    int rows = 0;
    int cols = 0;
    vterm_get_size(vt, &rows, &cols);
    if (cursor.row < rows && cursor.col < cols) return;
    const auto clamp = "\x1b[" + std::to_string(std::min(cursor.col, cols - 1) + 1) + 'G';
    vterm_input_write(vt, clamp.data(), clamp.size());
  }

  // libvterm 0.1.4 clamps only the bottom of the scroll region on a resize: a top below the
  // new screen stays, and the next scroll moves its per-row array by a negative count (a
  // heap overflow). Such an inverted region is reset, as DECSTBM without arguments would, and
  // the cursor put back where the resize left it (DECSTBM homes it).
  void keep_scroll_region_inside() {
    // DECRQSS answers DCS 1 $ r top ; bottom r ST, 1-based and inclusive, whether
    // libvterm's controls are 7- or 8-bit.
    const auto region = parse_scroll_region_report(ask(scroll_region_request));
    if (!region) return;
    // Empty is harmless (nothing moves); inverted is what overflows.
    if (region->first <= region->second) return;
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    const auto reset = "\x1b[r\x1b[" + std::to_string(cursor.row + 1) + "d\x1b[" +
                       std::to_string(cursor.col + 1) + 'G';
    vterm_input_write(vt, reset.data(), reset.size());
  }

  void interpret(std::string_view bytes) override {
    vterm_input_write(vt, bytes.data(), bytes.size());
  }

  void steer(std::string_view bytes) override { vterm_input_write(vt, bytes.data(), bytes.size()); }

  // The character again, up to the row's end.
  void repeat(std::string_view glyph, int count) override {
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    int rows = 0;
    int cols = 0;
    vterm_get_size(vt, &rows, &cols);
    count = std::clamp(count, 1, std::max(1, cols - cursor.col));
    std::string copies;
    copies.reserve(glyph.size() * static_cast<std::size_t>(count));
    for (int copy = 0; copy < count; ++copy)
      copies += glyph;
    vterm_input_write(vt, copies.data(), copies.size());
  }
};

screen_model::screen_model(int rows, int cols, std::size_t scrollback_lines)
    : impl_(
          std::make_unique<impl>(clamp_dimension(rows), clamp_dimension(cols), scrollback_lines)) {}

screen_model::~screen_model() = default;
screen_model::screen_model(screen_model&&) noexcept = default;
screen_model& screen_model::operator=(screen_model&&) noexcept = default;

void screen_model::feed(std::string_view bytes) {
  impl_->scanner.feed(bytes, *impl_);
}

void screen_model::resize(int rows, int cols) {
  vterm_set_size(impl_->vt, clamp_dimension(rows), clamp_dimension(cols));
  impl_->keep_scroll_region_inside();
}

std::int64_t screen_model::interpreted_bytes() const {
  return impl_->scanner.interpreted_bytes();
}

screen_snapshot screen_model::take_snapshot() const {
  auto& model = *impl_;
  screen_snapshot snapshot;
  vterm_get_size(model.vt, &snapshot.rows, &snapshot.cols);
  snapshot.lines.reserve(static_cast<std::size_t>(snapshot.rows));
  for (int row = 0; row < snapshot.rows; ++row)
    snapshot.lines.push_back(model.screen.visible_line(row));
  if (!model.alt_screen) snapshot.scrollback = model.screen.scrollback();
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
  snapshot.pen = to_screen_pen(model.screen.pen());
  read_layout_reports(snapshot, [&](std::string_view request) { return model.ask(request); });
  return snapshot;
}

std::string screen_model::screen_text() const {
  int rows = 0;
  int cols = 0;
  vterm_get_size(impl_->vt, &rows, &cols);
  std::string text;
  for (int row = 0; row < rows; ++row) {
    if (row > 0) text += '\n';
    const auto start = text.size();
    for (const auto& cell : impl_->screen.visible_line(row))
      text += cell.text;
    const auto last = text.find_last_not_of(' ');
    text.resize(last == std::string::npos || last < start ? start : last + 1);
  }
  return text;
}

}  // namespace berth::actors
