#include "actors/keeper_text.hpp"

namespace berth::actors {

std::string quote_keeper_text(std::string_view text) {
  const bool cut = text.size() > max_keeper_text;
  std::string out;
  out.reserve(std::min(text.size(), max_keeper_text) + 3);
  for (const char c : text.substr(0, max_keeper_text)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  if (cut) out += "...";
  return out;
}

}  // namespace berth::actors
