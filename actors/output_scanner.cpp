#include "actors/output_scanner.hpp"

#include <algorithm>
#include <utility>

namespace berth::actors {
namespace {

// Longest incomplete sequence held back between feeds. Real escape sequences are far
// shorter; a longer OSC/DCS string is passed on unfinished, a longer CSI is garbage and dropped.
constexpr std::size_t max_held_bytes = 64 * 1024;
// libvterm 0.1.4 writes CSI arguments past this many over its own memory (heap corruption,
// then a crash), so a longer CSI never reaches it.
constexpr int max_csi_arguments = 16;

// What libvterm parses as a CSI: it starts one at [ whatever came between ESC and [
// (intermediates, bytes it ignores, C0 controls, which it executes on their own), and inside
// one executes C0 controls on their own and ignores NUL and DEL.
std::string without_controls(std::string_view sequence) {
  std::string parsed = "\x1b[";
  for (const char byte : sequence.substr(sequence.find('[') + 1))
    if (static_cast<unsigned char>(byte) >= 0x20 && byte != 0x7f) parsed += byte;
  return parsed;
}

std::string controls_in(std::string_view sequence) {
  std::string controls;
  for (const char byte : sequence.substr(1))
    if (static_cast<unsigned char>(byte) < 0x20 && byte != 0) controls += byte;
  return controls;
}

// REP is CSI Pn b without private leader or intermediates (subparameters count as one).
bool is_repeat(std::string_view sequence) {
  if (sequence.size() < 3 || !sequence.starts_with("\x1b[") || !sequence.ends_with('b'))
    return false;
  const auto parameters = sequence.substr(2, sequence.size() - 3);
  return parameters.find_first_not_of("0123456789;:") == std::string_view::npos;
}

// DECSET or DECRST (CSI ? Pm h / l), as libvterm parses it: only there does it restore a
// saved cursor (?1048l, ?1049l). A CSI with other bytes in it libvterm ends early, and the
// rest is text to it: the scanner must not split there.
bool is_dec_mode_change(std::string_view sequence) {
  if (sequence.size() < 4 || !sequence.starts_with("\x1b[?")) return false;
  if (!sequence.ends_with('h') && !sequence.ends_with('l')) return false;
  const auto parameters = sequence.substr(3, sequence.size() - 4);
  return parameters.find_first_not_of("0123456789;:") == std::string_view::npos;
}

// Bytes after an ESC inside a string that keep libvterm 0.1.4 reading the string
// (ESC_IN_STRING): C0 controls but CAN and SUB (which end it) and ESC (which starts anew),
// NUL and DEL.
bool continues_string_escape(unsigned char byte) {
  return (byte < 0x20 && byte != 0x18 && byte != 0x1a && byte != 0x1b) || byte == 0x7f;
}

}  // namespace

void output_scanner::interpret(std::string_view bytes, scanner_sink& sink) {
  if (bytes.empty()) return;
  sink.interpret(bytes);
  interpreted_bytes_ += static_cast<std::int64_t>(bytes.size());
}

// Bytes that end inside an OSC or DCS, and an ST to end it, in one write: libvterm 0.1.4
// forgets the part of a string that came in an earlier write.
void output_scanner::interpret_ending_string(std::string_view bytes, scanner_sink& sink) {
  sink.interpret(std::string(bytes) + "\x1b\\");
  interpreted_bytes_ += static_cast<std::int64_t>(bytes.size());  // the ST is not output's
}

// Before a sequence the terminal does not get: what it got last may be unfinished (an
// escape or string that the withheld sequence's ESC ended), and it would read on from there.
// CAN ends any sequence; between sequences it does nothing.
void output_scanner::bring_parser_to_rest(scanner_sink& sink) {
  sink.steer("\x18");
}

void output_scanner::feed(std::string_view bytes, scanner_sink& sink) {
  std::string joined;
  std::string_view input = bytes;
  std::size_t scanned = 0;
  if (!held_.empty()) {
    joined = std::move(held_) + std::string(bytes);
    scanned = joined.size() - bytes.size();
    input = joined;
  }
  held_.clear();
  std::size_t written = 0;   // input before this was handed on
  std::size_t boundary = 0;  // input before this is complete characters and sequences
  for (std::size_t i = scanned; i < input.size(); ++i) {
    if (const auto end = skip_single_bytes(input, i); end > i) {
      boundary = end;  // each of those bytes is a complete character or control
      i = end - 1;
      continue;
    }
    const auto byte = static_cast<unsigned char>(input[i]);
    if (parse_ == parse_state::string_dropped && byte != 0x1b) {
      drop_string_byte(byte, sink);
      written = boundary = i + 1;
      continue;
    }
    if (byte == 0x1b && parse_ != parse_state::string) {
      if (parse_ == parse_state::csi && csi_arguments_ > max_csi_arguments) {
        interpret(input.substr(written, boundary - written), sink);  // drop the aborted CSI
        bring_parser_to_rest(sink);
        interpreted_bytes_ += static_cast<std::int64_t>(i - boundary);
        written = i;
      }
      boundary = i;  // ESC cancels any unfinished sequence and starts a new one
      escape_start_ = i;
      parse_ = parse_state::escape;
      utf8_remaining_ = 0;
      continue;
    }
    if (parse_ == parse_state::string_escape_controls && byte == '\\') {
      // ESC, controls, then `\` inside an OSC or DCS: libvterm 0.1.4 ends the string at the
      // `\` with a length of -1 and copies from past the bytes it was given. ECMA-48 ends
      // it at the ESC; so does the terminal here, told by an ST of its own, and then reads
      // ESC, controls, `\` as the escape sequence they are.
      interpret_ending_string(input.substr(written, escape_start_ - written), sink);
      interpret(input.substr(escape_start_, i + 1 - escape_start_), sink);
      written = boundary = i + 1;
      parse_ = parse_state::ground;
      continue;
    }
    const auto before = parse_;
    csi_completed_ = false;
    if (!scan(input, i)) continue;
    const auto sequence = input.substr(boundary, i + 1 - boundary);
    // A CSI may end an OSC or DCS left unfinished: the sequence then starts before it.
    const auto csi = csi_completed_ ? input.substr(escape_start_, i + 1 - escape_start_) : "";
    if (csi_completed_ && csi_arguments_ > max_csi_arguments) {
      interpret(input.substr(written, boundary - written), sink);
      bring_parser_to_rest(sink);
      interpreted_bytes_ += static_cast<std::int64_t>(sequence.size());
      written = i + 1;
    } else if (csi_completed_ && is_repeat(without_controls(csi))) {
      interpret(input.substr(written, escape_start_ - written), sink);
      bring_parser_to_rest(sink);    // and drops a string the CSI ended, as libvterm would
      sink.steer(controls_in(csi));  // executed before the REP
      interpreted_bytes_ += static_cast<std::int64_t>(csi.size());
      repeat(without_controls(csi), sink);
      written = i + 1;
    } else if (csi_completed_ ? is_dec_mode_change(without_controls(csi))
                              : byte == '8' && (before == parse_state::escape ||
                                                before == parse_state::string_escape ||
                                                before == parse_state::string_escape_controls)) {
      interpret(input.substr(written, i + 1 - written), sink);  // DECRC or a mode set/reset
      sink.cursor_restored();
      written = i + 1;
    }
    boundary = i + 1;
  }
  interpret(input.substr(written, boundary - written), sink);
  held_.assign(input.substr(boundary));
  // The next feed's input starts with the held bytes, so an unfinished character's start
  // (never before the boundary) moves with them.
  if (utf8_remaining_ > 0) glyph_start_ -= boundary;
  if (parse_ != parse_state::ground) escape_start_ -= boundary;
  if (held_.size() <= max_held_bytes) return;
  if (parse_ == parse_state::string || parse_ == parse_state::string_escape ||
      parse_ == parse_state::string_escape_controls) {
    end_long_string(sink);
    return;
  }
  interpreted_bytes_ += static_cast<std::int64_t>(held_.size());  // garbage: dropped
  bring_parser_to_rest(sink);
  parse_ = parse_state::ground;
  held_.clear();
}

// An OSC or DCS longer than max_held_bytes: libvterm keeps only its first 64 bytes anyway.
// It gets what came so far and an ST now, and the rest is dropped as it comes, so libvterm
// is never left inside a string between feeds (a resize's query would be read as part of
// it). A trailing ESC (and controls after it) stays held: with what follows it may end
// the string or begin a sequence.
void output_scanner::end_long_string(scanner_sink& sink) {
  if (parse_ == parse_state::string) {
    interpret_ending_string(held_, sink);
    held_.clear();
    parse_ = parse_state::string_dropped;
    return;
  }
  interpret_ending_string(std::string_view(held_).substr(0, escape_start_), sink);
  held_.erase(0, escape_start_);
  escape_start_ = 0;
  parse_ = parse_state::escape;
}

// A byte of a long string's dropped rest: BEL, CAN and SUB end the string (ESC is read as
// usual); other controls libvterm would have executed inside the string.
void output_scanner::drop_string_byte(unsigned char byte, scanner_sink& sink) {
  if (byte == 0x07 || byte == 0x18 || byte == 0x1a) {
    parse_ = parse_state::ground;
  } else if (byte < 0x20 && byte != 0) {
    const char control = static_cast<char>(byte);
    sink.steer(std::string_view(&control, 1));
  }
  ++interpreted_bytes_;
}

// Plain text is most of any output: in the ground state every byte below 0x80 but ESC is a
// whole character or control, so a run of them needs no per-byte parse. Returns the end of
// the run starting at i (i when there is none).
std::size_t output_scanner::skip_single_bytes(std::string_view input, std::size_t i) {
  if (parse_ != parse_state::ground || utf8_remaining_ > 0) return i;
  auto end = i;
  while (end < input.size() && static_cast<unsigned char>(input[end]) < 0x80 && input[end] != 0x1b)
    ++end;
  if (end == i) return i;
  for (auto at = end; at > i; --at) {  // the last printed one, for REP: usually the last byte
    const auto byte = static_cast<unsigned char>(input[at - 1]);
    if (byte >= 0x20 && byte < 0x7f) {
      last_glyph_.assign(1, input[at - 1]);
      break;
    }
  }
  glyph_start_ = end - 1;
  csi_completed_ = false;
  return end;
}

// Advances the parse over input[i]; true when a character or sequence ends there.
bool output_scanner::scan(std::string_view input, std::size_t i) {
  const auto byte = static_cast<unsigned char>(input[i]);
  const bool cancel = byte == 0x18 || byte == 0x1a;  // CAN, SUB
  switch (parse_) {
    case parse_state::ground:
      return scan_text(input, i);
    case parse_state::escape:
      if (cancel) break;
      if (byte == '[') {
        parse_ = parse_state::csi;
        csi_arguments_ = 1;
        return false;
      }
      if (byte == ']' || byte == 'P' || byte == 'X' || byte == '^' || byte == '_') {
        parse_ = parse_state::string;
        return false;
      }
      if (byte < 0x30 || byte > 0x7e) return false;  // intermediates and executed controls
      break;
    case parse_state::csi:
      if (byte == ';' || byte == ':') ++csi_arguments_;
      if (!cancel && (byte < 0x40 || byte > 0x7e)) return false;
      csi_completed_ = true;  // by its final byte or cancelled by CAN/SUB
      break;
    case parse_state::string:
      if (byte == 0x1b) {
        parse_ = parse_state::string_escape;
        escape_start_ = i;
        return false;
      }
      if (byte != 0x07 && !cancel) return false;  // BEL ends an OSC
      break;
    case parse_state::string_dropped:
      return false;  // read in feed, byte by byte
    case parse_state::string_escape_controls:
      if (continues_string_escape(byte)) return false;
      parse_ = parse_state::escape;  // the string was dropped; this byte is read in an escape
      return scan(input, i);
    case parse_state::string_escape:
      if (continues_string_escape(byte)) {
        parse_ = parse_state::string_escape_controls;
        return false;
      }
      if (byte != '\\') {
        parse_ = parse_state::escape;  // not ST: the string ended and a new escape began
        return scan(input, i);
      }
      break;
  }
  parse_ = parse_state::ground;
  return true;
}

bool output_scanner::scan_text(std::string_view input, std::size_t i) {
  const auto byte = static_cast<unsigned char>(input[i]);
  if (utf8_remaining_ > 0) {
    if ((byte & 0xc0) == 0x80) {
      if (--utf8_remaining_ > 0) return false;
      last_glyph_.assign(input.substr(glyph_start_, i + 1 - glyph_start_));
      return true;
    }
    utf8_remaining_ = 0;  // libvterm shows U+FFFD for the broken character; read this byte anew
  }
  glyph_start_ = i;
  if (byte >= 0xc2 && byte <= 0xf4) {
    utf8_remaining_ = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
    return false;
  }
  if (byte >= 0x20 && byte < 0x7f) last_glyph_.assign(1, static_cast<char>(byte));
  return true;
}

// libvterm 0.1.4 loops forever on REP when no printed character precedes it (or the last
// one had no width), so REP is done here: the sink prints the character again.
void output_scanner::repeat(std::string_view sequence, scanner_sink& sink) const {
  if (last_glyph_.empty()) return;  // nothing to repeat: xterm ignores it too
  const auto digits = sequence.substr(2, sequence.find_first_not_of("0123456789", 2) - 2);
  int count = 0;
  for (const char digit : digits)
    count = std::min(count * 10 + (digit - '0'), max_repeat_count);
  sink.repeat(last_glyph_, count);
}

}  // namespace berth::actors
