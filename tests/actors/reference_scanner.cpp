#include "tests/actors/reference_scanner.hpp"

#include <algorithm>

namespace berth::actors {
namespace {

// Longest incomplete sequence held back between feeds. Real escape sequences are far
// shorter; a longer OSC/DCS string is passed on unfinished, a longer CSI is garbage and dropped.
constexpr std::size_t max_held_bytes = 64 * 1024;
// libvterm 0.1.4 writes CSI arguments past this many over its own memory (heap corruption,
// then a crash), so a longer CSI never reaches it.
constexpr int max_csi_arguments = 16;

}  // namespace

void reference_scanner::write(std::string_view bytes) {
  if (bytes.empty()) return;
  sink->interpret(bytes);
  interpreted_bytes += static_cast<std::int64_t>(bytes.size());
}

// Before a sequence libvterm does not get: what it got last may be unfinished (an escape
// or string that the withheld sequence's ESC ended), and it would read on from there. CAN
// ends any sequence; between sequences it does nothing.
void reference_scanner::bring_parser_to_rest() {
  sink->steer("\x18");
}

// Hands libvterm every byte up to the last sequence boundary and keeps the rest, so that
// interpreted_bytes is always an offset a fresh terminal can resume from.
void reference_scanner::feed(std::string_view bytes) {
  std::string joined;
  std::string_view input = bytes;
  std::size_t scanned = 0;
  if (!held.empty()) {
    joined = std::move(held) + std::string(bytes);
    scanned = joined.size() - bytes.size();
    input = joined;
  }
  held.clear();
  std::size_t written = 0;   // input before this went to libvterm
  std::size_t boundary = 0;  // input before this is complete characters and sequences
  for (std::size_t i = scanned; i < input.size(); ++i) {
    const auto byte = static_cast<unsigned char>(input[i]);
    if (byte == 0x1b && parse != parse_state::string) {
      if (parse == parse_state::csi && csi_arguments > max_csi_arguments) {
        write(input.substr(written, boundary - written));  // drop the aborted CSI
        bring_parser_to_rest();
        interpreted_bytes += static_cast<std::int64_t>(i - boundary);
        written = i;
      }
      boundary = i;  // ESC cancels any unfinished sequence and starts a new one
      escape_start = i;
      parse = parse_state::escape;
      utf8_remaining = 0;
      continue;
    }
    csi_completed = false;
    if (!scan(input, i)) continue;
    const auto sequence = input.substr(boundary, i + 1 - boundary);
    // A CSI may end an OSC or DCS left unfinished: the sequence then starts before it.
    const auto csi = csi_completed ? input.substr(escape_start, i + 1 - escape_start) : "";
    if (csi_completed && csi_arguments > max_csi_arguments) {
      write(input.substr(written, boundary - written));
      bring_parser_to_rest();
      interpreted_bytes += static_cast<std::int64_t>(sequence.size());
      written = i + 1;
    } else if (csi_completed && is_repeat(without_controls(csi))) {
      write(input.substr(written, escape_start - written));
      bring_parser_to_rest();         // and drops a string the CSI ended, as libvterm would
      sink->steer(controls_in(csi));  // executed before the REP
      interpreted_bytes += static_cast<std::int64_t>(csi.size());
      repeat_last_glyph(without_controls(csi));
      written = i + 1;
    }
    boundary = i + 1;
  }
  write(input.substr(written, boundary - written));
  held.assign(input.substr(boundary));
  // The next feed's input starts with the held bytes, so an unfinished character's start
  // (never before the boundary) moves with them.
  if (utf8_remaining > 0) glyph_start -= boundary;
  if (parse != parse_state::ground) escape_start -= boundary;
  if (held.size() > max_held_bytes) {
    if (parse == parse_state::string || parse == parse_state::string_escape) {
      write(held);  // an OSC or DCS may be long; libvterm truncates it
    } else {
      interpreted_bytes += static_cast<std::int64_t>(held.size());  // garbage: dropped
      bring_parser_to_rest();
      parse = parse_state::ground;
    }
    held.clear();
  }
}

// Advances the parse over input[i]; true when a character or sequence ends there.
bool reference_scanner::scan(std::string_view input, std::size_t i) {
  const auto byte = static_cast<unsigned char>(input[i]);
  const bool cancel = byte == 0x18 || byte == 0x1a;  // CAN, SUB
  switch (parse) {
    case parse_state::ground:
      return scan_text(input, i);
    case parse_state::escape:
      if (cancel) break;
      if (byte == '[') {
        parse = parse_state::csi;
        csi_arguments = 1;
        return false;
      }
      if (byte == ']' || byte == 'P' || byte == 'X' || byte == '^' || byte == '_') {
        parse = parse_state::string;
        return false;
      }
      if (byte < 0x30 || byte > 0x7e) return false;  // intermediates and executed controls
      break;
    case parse_state::csi:
      if (byte == ';' || byte == ':') ++csi_arguments;
      if (!cancel && (byte < 0x40 || byte > 0x7e)) return false;
      csi_completed = true;  // by its final byte or cancelled by CAN/SUB
      break;
    case parse_state::string:
      if (byte == 0x1b) {
        parse = parse_state::string_escape;
        escape_start = i;
        return false;
      }
      if (byte != 0x07 && !cancel) return false;  // BEL ends an OSC
      break;
    case parse_state::string_escape:
      if (byte != '\\') {
        parse = parse_state::escape;  // not ST: the string ended and a new escape began
        return scan(input, i);
      }
      break;
  }
  parse = parse_state::ground;
  return true;
}

bool reference_scanner::scan_text(std::string_view input, std::size_t i) {
  const auto byte = static_cast<unsigned char>(input[i]);
  if (utf8_remaining > 0) {
    if ((byte & 0xc0) == 0x80) {
      if (--utf8_remaining > 0) return false;
      last_glyph.assign(input.substr(glyph_start, i + 1 - glyph_start));
      return true;
    }
    utf8_remaining = 0;  // libvterm shows U+FFFD for the broken character; read this byte anew
  }
  glyph_start = i;
  if (byte >= 0xc2 && byte <= 0xf4) {
    utf8_remaining = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
    return false;
  }
  if (byte >= 0x20 && byte < 0x7f) last_glyph.assign(1, static_cast<char>(byte));
  return true;
}

// What libvterm parses as a CSI: it starts one at [ whatever came between ESC and [
// (intermediates, bytes it ignores, C0 controls, which it executes on their own), and
// inside one executes C0 controls on their own and ignores NUL and DEL.
std::string reference_scanner::without_controls(std::string_view sequence) {
  std::string parsed = "\x1b[";
  for (const char byte : sequence.substr(sequence.find('[') + 1))
    if (static_cast<unsigned char>(byte) >= 0x20 && byte != 0x7f) parsed += byte;
  return parsed;
}

std::string reference_scanner::controls_in(std::string_view sequence) {
  std::string controls;
  for (const char byte : sequence.substr(1))
    if (static_cast<unsigned char>(byte) < 0x20 && byte != 0) controls += byte;
  return controls;
}

// REP is CSI Pn b without private leader or intermediates (subparameters count as one).
bool reference_scanner::is_repeat(std::string_view sequence) {
  if (sequence.size() < 3 || !sequence.starts_with("\x1b[") || !sequence.ends_with('b'))
    return false;
  const auto parameters = sequence.substr(2, sequence.size() - 3);
  return parameters.find_first_not_of("0123456789;:") == std::string_view::npos;
}

// libvterm 0.1.4 loops forever on REP when no printed character precedes it (or the last
// one had no width), so REP is done here: the sink prints the character again.
void reference_scanner::repeat_last_glyph(std::string_view sequence) {
  if (last_glyph.empty()) return;  // nothing to repeat: xterm ignores it too
  const auto digits = sequence.substr(2, sequence.find_first_not_of("0123456789", 2) - 2);
  int count = 0;
  for (const char digit : digits)  // capped: the row end clamps the count anyway
    count = std::min(count * 10 + (digit - '0'), 10'000);
  sink->repeat(last_glyph, count);
}

}  // namespace berth::actors
