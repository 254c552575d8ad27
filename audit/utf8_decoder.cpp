#include "audit/utf8_decoder.hpp"

namespace berth::audit {

void utf8_decoder::reset() {
  held_.clear();
  needed_ = seen_ = 0;
  lower_ = 0x80;
  upper_ = 0xbf;
}

// https://encoding.spec.whatwg.org/#utf-8-decoder: the narrowed ranges after E0, ED, F0 and F4
// refuse overlong forms, UTF-16 surrogates and code points past U+10FFFF at their first
// continuation byte, so a broken sequence never swallows a valid byte that follows it.
void utf8_decoder::decode(std::string_view bytes, std::string& out) {
  for (std::size_t i = 0; i < bytes.size();) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (needed_ == 0) {
      ++i;
      if (byte < 0x80) {
        out.push_back(static_cast<char>(byte));
        continue;
      }
      if (byte >= 0xc2 && byte <= 0xdf) {
        needed_ = 1;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte == 0xe0) lower_ = 0xa0;
        if (byte == 0xed) upper_ = 0x9f;
        needed_ = 2;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte == 0xf0) lower_ = 0x90;
        if (byte == 0xf4) upper_ = 0x8f;
        needed_ = 3;
      } else {
        out.append(replacement_character);
        continue;
      }
      held_.push_back(static_cast<char>(byte));
      continue;
    }
    if (byte < lower_ || byte > upper_) {
      // The sequence so far is one error; this byte is read again as a start.
      reset();
      out.append(replacement_character);
      continue;
    }
    ++i;
    lower_ = 0x80;
    upper_ = 0xbf;
    held_.push_back(static_cast<char>(byte));
    if (++seen_ == needed_) {
      out.append(held_);
      reset();
    }
  }
}

void utf8_decoder::finish(std::string& out) {
  if (needed_ == 0) return;
  reset();
  out.append(replacement_character);
}

}  // namespace berth::audit
