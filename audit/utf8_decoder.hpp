#pragma once

// Terminal output as text: bytes arrive in arbitrary pieces (a character may be split across
// two recorded events) and need not be UTF-8 at all. The decoder keeps an unfinished
// sequence for the next piece and replaces what can never be UTF-8 with U+FFFD, one per
// maximal invalid subpart (the WHATWG Encoding Standard's UTF-8 decoder).

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::audit {

/// The replacement character U+FFFD as UTF-8.
inline constexpr std::string_view replacement_character = "\xef\xbf\xbd";

/// An incremental UTF-8 decoder whose output is always valid UTF-8.
class utf8_decoder {
 public:
  /// Appends `bytes` to `out` as valid UTF-8, holding back an unfinished last sequence.
  void decode(std::string_view bytes, std::string& out);
  /// Ends the stream: an unfinished sequence held back becomes U+FFFD.
  void finish(std::string& out);
  /// True while an unfinished sequence is held back.
  bool holding() const { return needed_ > 0; }

 private:
  void reset();

  std::string held_;                           ///< bytes of the sequence being read
  int needed_ = 0;                             ///< continuation bytes the sequence needs in all
  int seen_ = 0;                               ///< continuation bytes read so far
  unsigned char lower_ = 0x80, upper_ = 0xbf;  ///< allowed range of the next byte
};

}  // namespace berth::audit
