#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::actors {

/// A cell colour: the terminal's default, one of the 256 palette entries, or 24-bit RGB.
struct screen_color {
  /// Which of the three colour forms this is.
  enum class kind : std::uint8_t { default_color, indexed, rgb };
  /// The form; the fields that follow are meaningful only for the matching kind.
  kind type = kind::default_color;
  /// Palette index (0–7 normal, 8–15 bright, 16–255 cube and greys) when indexed.
  std::uint8_t index = 0;
  /// Red channel when rgb.
  std::uint8_t red = 0;
  /// Green channel when rgb.
  std::uint8_t green = 0;
  /// Blue channel when rgb.
  std::uint8_t blue = 0;
  /// Colours compare equal when every field does.
  bool operator==(const screen_color&) const = default;
};

/// The SGR attributes of a cell that xterm.js can show.
struct screen_attributes {
  /// SGR 1.
  bool bold = false;
  /// SGR 3.
  bool italic = false;
  /// 0 off, 1 single (SGR 4), 2 double (SGR 4:2), 3 curly (SGR 4:3).
  std::uint8_t underline = 0;
  /// SGR 5.
  bool blink = false;
  /// SGR 7.
  bool reverse = false;
  /// SGR 9.
  bool strike = false;
  /// Attributes compare equal when every field does.
  bool operator==(const screen_attributes&) const = default;
};

/// One character cell; the right half of a wide character is not a cell of its own.
struct screen_cell {
  /// UTF-8 of the base character and its combining marks; a blank cell holds one space.
  std::string text = " ";
  /// Columns the character covers: 1, or 2 for wide characters such as '漢'.
  int width = 1;
  /// SGR attributes.
  screen_attributes attributes;
  /// Foreground colour.
  screen_color foreground;
  /// Background colour.
  screen_color background;
  /// Cells compare equal when every field does.
  bool operator==(const screen_cell&) const = default;
};

/// A line of cells, left to right.
using screen_line = std::vector<screen_cell>;

/// Mouse tracking the application asked for (DECSET 1000/1002/1003).
enum class mouse_tracking : std::uint8_t { none, click, drag, move };

/// Everything a fresh terminal needs to show what the model shows after interpreted_bytes.
struct screen_snapshot {
  /// Screen height in cells.
  int rows = 0;
  /// Screen width in cells.
  int cols = 0;
  /// The visible rows; a wide character's right half is absent, so a line may hold fewer
  /// than cols cells.
  std::vector<screen_line> lines;
  /// Lines scrolled off the top of the primary screen, oldest first, trailing blanks
  /// removed; empty while the alternate screen is active (it has no scrollback).
  std::vector<screen_line> scrollback;
  /// Zero-based cursor row.
  int cursor_row = 0;
  /// Zero-based cursor column.
  int cursor_col = 0;
  /// DECTCEM (?25).
  bool cursor_visible = true;
  /// The alternate screen (?1049) is active; the primary one is then not part of the
  /// snapshot.
  bool alt_screen = false;
  /// Bracketed paste (?2004).
  bool bracketed_paste = false;
  /// Application cursor keys, DECCKM (?1).
  bool application_cursor = false;
  /// Mouse tracking mode.
  mouse_tracking mouse = mouse_tracking::none;
  /// SGR mouse encoding (?1006).
  bool sgr_mouse = false;
  /// Window title from OSC 0 or OSC 2.
  std::string title;
  /// The pen: attributes and colours the next character printed gets (text unused).
  screen_cell pen;
  /// The scroll region (DECSTBM): its first row, zero-based, and the row after its last;
  /// 0 and rows when it is the whole screen.
  int scroll_top = 0;
  /// The row after the scroll region's last.
  int scroll_bottom = 0;
  /// DECOM (?6): cursor addressing relative to the scroll region.
  bool origin_mode = false;
  /// DECAWM (?7): printing past the last column wraps to the next line.
  bool auto_wrap = true;
  /// Snapshots compare equal when every field does.
  bool operator==(const screen_snapshot&) const = default;
};

/// A server-side terminal screen on libvterm, fed a session's output bytes in offset order
/// (REFERENCE.md "libvterm 0.1.4 as the server-side screen model").
class screen_model {
 public:
  /// Largest accepted height or width; a larger resize is clamped so a client cannot make
  /// the model allocate without bound.
  static constexpr int max_dimension = 500;

  /// A blank rows×cols screen keeping at most scrollback_lines lines of scrollback.
  screen_model(int rows, int cols, std::size_t scrollback_lines = 1000);
  /// Frees the libvterm instance.
  ~screen_model();
  /// Moves transfer the libvterm instance.
  screen_model(screen_model&&) noexcept;
  /// Move assignment, as the move constructor.
  screen_model& operator=(screen_model&&) noexcept;

  /// Interprets output bytes; a UTF-8 character or escape sequence left unfinished at the
  /// end is held back until a later call completes it, and any byte sequence is accepted.
  void feed(std::string_view bytes);
  /// Changes the screen size (each dimension clamped to 1..max_dimension), as a PTY resize.
  void resize(int rows, int cols);
  /// Bytes fed and interpreted so far: all of them but an unfinished tail, so the position a
  /// snapshot taken now resumes from (callers add the stream offset of their first feed).
  std::int64_t interpreted_bytes() const;
  /// The current screen, scrollback, cursor, modes and title.
  screen_snapshot take_snapshot() const;
  /// Plain text of the visible rows: trailing spaces trimmed, rows joined by '\n'.
  std::string screen_text() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The scroll region in a DECRQSS answer for DECSTBM (`DCS 1 $ r top ; bottom r ST`, 1-based,
/// inclusive), as a zero-based first row and the row after the last; nullopt if unreadable.
std::optional<std::pair<int, int>> parse_scroll_region_report(std::string_view answer);

/// Whether a DECRQM answer (`CSI ? mode ; 1|2 $ y`) says the DEC private mode is set;
/// nullopt if it is not an answer for that mode.
std::optional<bool> parse_dec_mode_report(std::string_view answer, int mode);

/// DECRQSS for DECSTBM: libvterm answers with the scroll region.
inline constexpr std::string_view scroll_region_request = "\x1bP$qr\x1b\\";

/// Fills the snapshot's scroll region, origin mode and auto-wrap from a libvterm's answers;
/// `ask` writes a request into it and returns what it wrote back.
void read_layout_reports(screen_snapshot& snapshot,
                         const std::function<std::string(std::string_view)>& ask);

/// VT text that reproduces the snapshot in a fresh terminal of the same size (xterm.js or
/// this model): reset, screen contents with SGR runs, cursor, modes and title.
std::string render_vt(const screen_snapshot& snapshot);

}  // namespace berth::actors
