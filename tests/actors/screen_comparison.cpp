#include "tests/actors/screen_comparison.hpp"

#include <vterm.h>

#include <algorithm>
#include <sstream>

#include "actors/output_scanner.hpp"
#include "tests/actors/reference_scanner.hpp"

namespace berth::actors {
namespace {

std::string describe(const screen_cell& cell) {
  std::ostringstream out;
  out << '"' << cell.text << "\" width " << cell.width << " bold " << cell.attributes.bold
      << " italic " << cell.attributes.italic << " underline " << int{cell.attributes.underline}
      << " blink " << cell.attributes.blink << " reverse " << cell.attributes.reverse << " strike "
      << cell.attributes.strike << " fg " << int(cell.foreground.type) << '/'
      << int{cell.foreground.index} << '/' << int{cell.foreground.red} << ','
      << int{cell.foreground.green} << ',' << int{cell.foreground.blue} << " bg "
      << int(cell.background.type) << '/' << int{cell.background.index} << '/'
      << int{cell.background.red} << ',' << int{cell.background.green} << ','
      << int{cell.background.blue};
  return out.str();
}

std::string compare_lines(const char* what, const std::vector<screen_line>& expected,
                          const std::vector<screen_line>& actual) {
  std::ostringstream out;
  if (expected.size() != actual.size()) {
    out << what << ": " << expected.size() << " lines, not " << actual.size();
    return out.str();
  }
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const auto& want = expected[row];
    const auto& got = actual[row];
    for (std::size_t col = 0; col < std::min(want.size(), got.size()); ++col) {
      if (want[col] == got[col]) continue;
      out << what << " row " << row << " cell " << col << ": " << describe(want[col]) << ", not "
          << describe(got[col]);
      return out.str();
    }
    if (want.size() != got.size()) {
      out << what << " row " << row << ": " << want.size() << " cells, not " << got.size();
      return out.str();
    }
  }
  return "";
}

}  // namespace

std::string describe_difference(const screen_snapshot& expected, const screen_snapshot& actual) {
  std::ostringstream out;
  if (expected.rows != actual.rows || expected.cols != actual.cols) {
    out << "size " << expected.rows << 'x' << expected.cols << ", not " << actual.rows << 'x'
        << actual.cols;
    return out.str();
  }
  if (auto lines = compare_lines("screen", expected.lines, actual.lines); !lines.empty())
    return lines;
  if (auto lines = compare_lines("scrollback", expected.scrollback, actual.scrollback);
      !lines.empty())
    return lines;
  if (expected.cursor_row != actual.cursor_row || expected.cursor_col != actual.cursor_col) {
    out << "cursor " << expected.cursor_row << ',' << expected.cursor_col << ", not "
        << actual.cursor_row << ',' << actual.cursor_col;
    return out.str();
  }
  if (expected.cursor_visible != actual.cursor_visible) return "cursor visibility";
  if (expected.alt_screen != actual.alt_screen) return "alternate screen";
  if (expected.bracketed_paste != actual.bracketed_paste) return "bracketed paste";
  if (expected.application_cursor != actual.application_cursor) return "application cursor";
  if (expected.mouse != actual.mouse) return "mouse tracking";
  if (expected.sgr_mouse != actual.sgr_mouse) return "SGR mouse";
  if (expected.title != actual.title)
    return "title \"" + expected.title + "\", not \"" + actual.title + '"';
  if (expected.pen != actual.pen)
    return "pen " + describe(expected.pen) + ", not " + describe(actual.pen);
  if (expected.scroll_top != actual.scroll_top || expected.scroll_bottom != actual.scroll_bottom) {
    out << "scroll region " << expected.scroll_top << ".." << expected.scroll_bottom << ", not "
        << actual.scroll_top << ".." << actual.scroll_bottom;
    return out.str();
  }
  if (expected.origin_mode != actual.origin_mode) return "origin mode";
  if (expected.auto_wrap != actual.auto_wrap) return "auto wrap";
  return expected == actual ? "" : "some field describe_difference does not know";
}

struct reference_hazards::impl final : scanner_sink {
  VTerm* vt = nullptr;
  VTermState* state = nullptr;
  // The reference's scanner: the hazards are the reference's (screen_model keeps clear of
  // them, and its scanner feeds libvterm other bytes around them).
  reference_scanner scanner;
  reach seen = reach::safe;
  std::string output;         // libvterm's answers
  int resize_cursor_row = 0;  // where the model's screen put the cursor on the last resize

  impl(int rows, int cols) {
    vt = vterm_new(std::clamp(rows, 1, screen_model::max_dimension),
                   std::clamp(cols, 1, screen_model::max_dimension));
    vterm_set_utf8(vt, 1);
    vterm_output_set_callback(vt, &impl::on_output, this);
    state = vterm_obtain_state(vt);
    scanner.sink = this;
    // The callbacks whose results steer the state answer as screen_model's do.
    static constexpr VTermStateCallbacks callbacks = {
        .putglyph = &impl::on_putglyph,
        .movecursor = nullptr,
        .scrollrect = &impl::on_accept,
        .moverect = nullptr,
        .erase = nullptr,
        .initpen = nullptr,
        .setpenattr = nullptr,
        .settermprop = &impl::on_termprop,
        .bell = nullptr,
        .resize = &impl::on_resize,
        .setlineinfo = &impl::on_lineinfo,
    };
    vterm_state_set_callbacks(state, &callbacks, this);
    vterm_state_reset(state, 1);
  }
  ~impl() override { vterm_free(vt); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  static int on_putglyph(VTermGlyphInfo* info, VTermPos, void* user) {
    if (info->width < 0 || info->width > 2) static_cast<impl*>(user)->see(reach::reference_unsafe);
    return 1;
  }

  void see(reach hazard) { seen = std::max(seen, hazard); }
  static int on_accept(VTermRect, int, int, void*) { return 1; }
  static int on_termprop(VTermProp, VTermValue*, void*) { return 1; }
  static int on_lineinfo(int, const VTermLineInfo*, const VTermLineInfo*, void*) { return 1; }
  static int on_resize(int, int, VTermPos* delta, void* user) {
    VTermPos cursor{};
    auto* self = static_cast<impl*>(user);
    vterm_state_get_cursorpos(self->state, &cursor);
    delta->row = self->resize_cursor_row - cursor.row;
    return 1;
  }
  static void on_output(const char* bytes, std::size_t length, void* user) {
    static_cast<impl*>(user)->output.append(bytes, length);
  }

  void check_cursor() {
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    int rows = 0;
    int cols = 0;
    vterm_get_size(vt, &rows, &cols);
    if (cursor.row < 0 || cursor.row >= rows) see(reach::state_unsafe);
    if (cursor.col < 0 || cursor.col >= cols) see(reach::reference_unsafe);
  }

  // DECRQSS for DECSTBM answers DCS 1 $ r top+1 ; bottom r ST (7- or 8-bit controls). No
  // answer (the query went into an unfinished string) counts as a hazard too.
  bool region_inverted() {
    output.clear();
    static constexpr std::string_view query = "\x1bP$qr\x1b\\";
    vterm_input_write(vt, query.data(), query.size());
    const auto start = output.find("$r");
    const auto separator = output.find(';', start);
    const auto end = output.find('r', separator);
    if (start == std::string::npos || separator == std::string::npos || end == std::string::npos)
      return true;
    const auto top = std::stol(output.substr(start + 2, separator - start - 2));
    const auto bottom = std::stol(output.substr(separator + 1, end - separator - 1));
    return top - 1 > bottom;
  }

  // Where a piece starting at input[i] ends: a run of text, one control, or everything up
  // to where libvterm's parser is back at rest after an escape. Written piece by piece,
  // libvterm parses as it would the whole: its text callback stops at every control anyway,
  // and no write ends inside a sequence (its 0.1.4 parser loses track of a string split
  // between ESC and ST). Also tells whether the piece holds ESC, controls, then ST inside an
  // OSC or DCS, which libvterm ends with a length of -1 and copies from past its input.
  struct piece {
    std::size_t end;
    bool string_past_its_end;
  };

  static piece next_piece(std::string_view input, std::size_t i) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(input[at]); };
    if (byte(i) >= 0x20) {
      while (i < input.size() && byte(i) >= 0x20)
        ++i;
      return {i, false};
    }
    if (byte(i) != 0x1b) return {i + 1, false};
    // libvterm's states from ESC back to rest, with what it does on its own inside them:
    // executes controls and ignores NUL and DEL everywhere, and ignores bytes from 0x80 in
    // an escape; a CSI starts at [ and a string at ] or P whatever came between.
    enum class state { escape, csi, csi_intermediate, string, string_escape };
    auto at = state::escape;
    bool controls_after_escape = false;
    for (auto k = i + 1; k < input.size(); ++k) {
      const auto code = byte(k);
      if (code == 0x18 || code == 0x1a) return {k + 1, false};  // CAN, SUB: at rest
      if (code == 0x1b) {
        at = at == state::string ? state::string_escape : state::escape;
        controls_after_escape = false;
        continue;
      }
      if (code == 0x07 && at == state::string) return {k + 1, false};
      if (code < 0x20 || code == 0x7f) {
        controls_after_escape = controls_after_escape || at == state::string_escape;
        continue;
      }
      if (at == state::string_escape) {
        if (code == '\\') return {k + 1, controls_after_escape};  // ST
        at = state::escape;  // the string is dropped; this byte is read in an escape
      }
      switch (at) {
        case state::escape:
          if (code == '[') at = state::csi;
          if (code == ']' || code == 'P') at = state::string;
          if (code >= 0x30 && code < 0x7f && at == state::escape) return {k + 1, false};
          break;  // intermediates and ignored bytes
        case state::csi:
          if (code >= 0x40 && code <= 0x7e) return {k + 1, false};
          if (code >= 0x20 && code <= 0x2f) at = state::csi_intermediate;
          if (code >= 0x80) return {k + 1, false};  // not a CSI: at rest
          break;
        case state::csi_intermediate:
          if (code < 0x20 || code > 0x2f) return {k + 1, false};  // final, or not a CSI
          break;
        default:
          break;
      }
    }
    return {input.size(), false};
  }

  void interpret(std::string_view bytes) override {
    for (std::size_t at = 0; at < bytes.size() && seen != reach::state_unsafe;) {
      const auto [end, string_past_its_end] = next_piece(bytes, at);
      if (string_past_its_end) {
        see(reach::state_unsafe);
        return;
      }
      vterm_input_write(vt, bytes.data() + at, end - at);
      check_cursor();
      at = end;
    }
  }

  void steer(std::string_view bytes) override { vterm_input_write(vt, bytes.data(), bytes.size()); }
  void cursor_restored() override {}

  void repeat(std::string_view glyph, int count) override {
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    int rows = 0;
    int cols = 0;
    vterm_get_size(vt, &rows, &cols);
    count = std::clamp(count, 1, std::max(1, cols - cursor.col));
    for (int copy = 0; copy < count && seen != reach::state_unsafe; ++copy) {
      vterm_input_write(vt, glyph.data(), glyph.size());
      check_cursor();
    }
  }
};

reference_hazards::reference_hazards(int rows, int cols)
    : impl_(std::make_unique<impl>(rows, cols)) {}
reference_hazards::~reference_hazards() = default;

reference_hazards::reach reference_hazards::feed(std::string_view bytes) {
  if (impl_->seen != reach::state_unsafe) impl_->scanner.feed(bytes);
  return impl_->seen;
}

reference_hazards::reach reference_hazards::resize(int rows, int cols, int model_row,
                                                   int reference_row) {
  if (impl_->seen == reach::state_unsafe) return impl_->seen;
  if (reference_row != model_row) impl_->see(reach::reference_unsafe);
  impl_->resize_cursor_row = model_row;
  vterm_set_size(impl_->vt, std::clamp(rows, 1, screen_model::max_dimension),
                 std::clamp(cols, 1, screen_model::max_dimension));
  impl_->check_cursor();
  if (impl_->region_inverted()) impl_->see(reach::state_unsafe);
  return impl_->seen;
}

}  // namespace berth::actors
