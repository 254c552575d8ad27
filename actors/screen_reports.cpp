#include <charconv>

#include "actors/screen_model.hpp"

// The answers libvterm gives to the state queries the screen model makes of it (its output
// while a probe listens), parsed: the model and the test reference read them alike.

namespace berth::actors {
namespace {

/// Reads a decimal number at `at`, moving past it.
std::optional<int> read_number(std::string_view text, std::size_t& at) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (error != std::errc{}) return std::nullopt;
  at = static_cast<std::size_t>(end - text.data());
  return value;
}

}  // namespace

std::optional<std::pair<int, int>> parse_scroll_region_report(std::string_view answer) {
  // DCS 1 $ r top ; bottom r ST, with a 7- or 8-bit DCS and ST.
  auto at = answer.find("$r");
  if (at == std::string_view::npos) return std::nullopt;
  at += 2;
  const auto top = read_number(answer, at);
  if (!top || at >= answer.size() || answer[at] != ';') return std::nullopt;
  ++at;
  const auto bottom = read_number(answer, at);
  if (!bottom || at >= answer.size() || answer[at] != 'r') return std::nullopt;
  return std::pair{*top - 1, *bottom};
}

std::optional<bool> parse_dec_mode_report(std::string_view answer, int mode) {
  // CSI ? mode ; value $ y: 1 set, 2 reset (0 unknown mode, 3 and 4 permanent).
  auto at = answer.find('?');
  if (at == std::string_view::npos) return std::nullopt;
  ++at;
  const auto reported = read_number(answer, at);
  if (!reported || *reported != mode || at >= answer.size() || answer[at] != ';') {
    return std::nullopt;
  }
  ++at;
  const auto value = read_number(answer, at);
  if (!value || at + 1 >= answer.size() || answer.substr(at, 2) != "$y") return std::nullopt;
  if (*value == 1 || *value == 3) return true;
  if (*value == 2 || *value == 4) return false;
  return std::nullopt;
}

void read_layout_reports(screen_snapshot& snapshot,
                         const std::function<std::string(std::string_view)>& ask) {
  const auto region =
      parse_scroll_region_report(ask(scroll_region_request)).value_or(std::pair{0, snapshot.rows});
  snapshot.scroll_top = region.first;
  snapshot.scroll_bottom = region.second;
  // DECRQM: CSI ? mode $ p. Unanswered, a mode counts as at its power-on value.
  snapshot.origin_mode = parse_dec_mode_report(ask("\x1b[?6$p"), 6).value_or(false);
  snapshot.auto_wrap = parse_dec_mode_report(ask("\x1b[?7$p"), 7).value_or(true);
}

}  // namespace berth::actors
