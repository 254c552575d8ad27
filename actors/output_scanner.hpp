#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Terminal output on its way to libvterm, tracked beside it (libvterm's parser state is
// private) with a simplified ECMA-48 / VT500 parser: a sequence or UTF-8 character left
// unfinished at the end of a feed is held back until a later one completes it, so the bytes
// interpreted so far always end at a point a fresh terminal can resume from, and libvterm's
// parser is at rest between feeds. It also keeps libvterm 0.1.4's parser bugs away: REP is
// done here, a CSI with too many arguments dropped, a string ended before ESC, controls and
// ST could make libvterm copy it from past its input, and an over-long string cut short.

namespace berth::actors {

/// Where an output_scanner hands the bytes it lets through.
class scanner_sink {
 public:
  /// Sinks are used through references only.
  virtual ~scanner_sink() = default;
  /// Complete characters and sequences, in order, for the terminal to interpret (a string
  /// the scanner ends early comes with an ST of its own).
  virtual void interpret(std::string_view bytes) = 0;
  /// Bytes that keep the terminal's parser in step with what is withheld from it: CAN, to
  /// end what it got last, and the controls inside a REP done here (which a terminal
  /// executes on their own).
  virtual void steer(std::string_view bytes) = 0;
  /// REP (CSI Pn b): print glyph, one character's UTF-8, again; count is Pn as written
  /// (0 when absent), at most max_repeat_count, and the terminal clamps it to 1..row end.
  virtual void repeat(std::string_view glyph, int count) = 0;
  /// Called after a sequence that may restore a saved cursor (DECRC, a DEC private mode
  /// reset such as ?1049l): libvterm 0.1.4 restores one that a resize left outside the
  /// screen, and the sink puts it back inside before anything indexes by it.
  virtual void cursor_restored() = 0;
};

/// Splits a terminal's output stream at sequence boundaries (see the comment above).
class output_scanner {
 public:
  /// Largest REP count passed on: a count is clamped to the row's end anyway, and reading
  /// more digits only risks overflow.
  static constexpr int max_repeat_count = 10'000;

  /// Scans bytes after everything fed before, handing every complete character and sequence
  /// to sink; an unfinished tail waits for the next feed.
  void feed(std::string_view bytes, scanner_sink& sink);
  /// Bytes fed and interpreted (or dropped as garbage) so far: all but the unfinished tail.
  std::int64_t interpreted_bytes() const { return interpreted_bytes_; }

 private:
  // string_escape_controls: ESC and controls inside a string, which libvterm still reads
  // as the string; string_dropped: the rest of an OSC or DCS longer than max_held_bytes,
  // already ended for the terminal (see feed).
  enum class parse_state {
    ground,
    escape,
    csi,
    string,
    string_escape,
    string_escape_controls,
    string_dropped
  };

  void interpret(std::string_view bytes, scanner_sink& sink);
  void interpret_ending_string(std::string_view bytes, scanner_sink& sink);
  static void bring_parser_to_rest(scanner_sink& sink);
  bool scan(std::string_view input, std::size_t i);
  void drop_string_byte(unsigned char byte, scanner_sink& sink);
  void end_long_string(scanner_sink& sink);
  bool scan_text(std::string_view input, std::size_t i);
  std::size_t skip_single_bytes(std::string_view input, std::size_t i);
  void repeat(std::string_view sequence, scanner_sink& sink) const;

  parse_state parse_ = parse_state::ground;
  int utf8_remaining_ = 0;        // continuation bytes the current character still needs
  std::size_t glyph_start_ = 0;   // index of the current character's first byte in the input
  std::size_t escape_start_ = 0;  // index of the ESC that began the current escape sequence
  std::string last_glyph_;        // UTF-8 of the last printed character, for REP
  std::string held_;              // bytes since the last boundary, not yet handed on
  int csi_arguments_ = 0;         // parameters and subparameters of the current CSI
  bool csi_completed_ = false;    // the byte just scanned ended a CSI
  std::int64_t interpreted_bytes_ = 0;
};

}  // namespace berth::actors
