#pragma once

// The byte scanner of the screen model before it kept its own cells: the half of
// reference_screen that finds sequence boundaries, does REP and keeps long CSIs from
// libvterm. Test-only, held apart from actors/output_scanner so that the differential tests
// check that one too.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "actors/output_scanner.hpp"

namespace berth::actors {

/// Feeds libvterm (through `sink`) the output up to each sequence boundary; see
/// reference_screen. It never calls the sink's cursor_restored.
struct reference_scanner {
  scanner_sink* sink = nullptr;

  // Where the byte stream stands, tracked beside libvterm (whose parser state is private)
  // to find resume boundaries and REP sequences; a simplified ECMA-48 / VT500 parser.
  enum class parse_state { ground, escape, csi, string, string_escape };
  parse_state parse = parse_state::ground;
  int utf8_remaining = 0;        // continuation bytes the current character still needs
  std::size_t glyph_start = 0;   // index of the current character's first byte in the input
  std::size_t escape_start = 0;  // index of the ESC that began the current escape sequence
  std::string last_glyph;        // UTF-8 of the last printed character, for REP
  std::string held;              // bytes since the last boundary, not yet given to libvterm
  int csi_arguments = 0;         // parameters and subparameters of the current CSI
  bool csi_completed = false;    // the byte just scanned ended a CSI
  std::int64_t interpreted_bytes = 0;

  void write(std::string_view bytes);
  void bring_parser_to_rest();
  void feed(std::string_view bytes);
  bool scan(std::string_view input, std::size_t i);
  bool scan_text(std::string_view input, std::size_t i);
  static std::string without_controls(std::string_view sequence);
  static std::string controls_in(std::string_view sequence);
  static bool is_repeat(std::string_view sequence);
  void repeat_last_glyph(std::string_view sequence);
};

}  // namespace berth::actors
