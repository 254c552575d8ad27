#include "audit/time_text.hpp"

#include <cstdio>
#include <optional>

namespace berth::audit {
namespace {

using namespace std::chrono;

constexpr std::string_view rfc3339_shape =
    "an RFC 3339 time (2026-11-23T13:00:00Z, optional fractional seconds and a +HH:MM offset) "
    "or milliseconds since the epoch";

/// Reads exactly `count` digits at `at`, moving past them; nothing unless all are digits.
std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t count) {
  if (text.size() - at < count) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += count;
  return value;
}

bool take(std::string_view text, std::size_t& at, std::string_view one_of) {
  if (at >= text.size() || one_of.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

tl::expected<time_point, std::string> refused(const std::string& why) {
  return tl::unexpected(why);
}

tl::expected<time_point, std::string> parse_milliseconds(std::string_view text) {
  // 15 digits hold every accepted value; more could overflow before the range check.
  if (text.size() > 15) return refused("milliseconds since the epoch must be at most 15 digits");
  std::int64_t ms = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return refused("expected " + std::string(rfc3339_shape));
    ms = ms * 10 + (c - '0');
  }
  if (ms > latest_time_ms) return refused("the time is after the year 9999");
  return time_point(microseconds(ms * 1000));
}

tl::expected<time_point, std::string> parse_rfc3339(std::string_view text) {
  std::size_t at = 0;
  const auto bad = [&] { return refused("expected " + std::string(rfc3339_shape)); };
  const auto year = digits(text, at, 4);
  if (!year || !take(text, at, "-")) return bad();
  const auto month = digits(text, at, 2);
  if (!month || !take(text, at, "-")) return bad();
  const auto day = digits(text, at, 2);
  // RFC 3339 allows `t`, and a space "for the sake of readability" (section 5.6, note).
  if (!day || !take(text, at, "Tt ")) return bad();
  const auto hour = digits(text, at, 2);
  if (!hour || !take(text, at, ":")) return bad();
  const auto minute = digits(text, at, 2);
  if (!minute || !take(text, at, ":")) return bad();
  const auto second = digits(text, at, 2);
  if (!second) return bad();
  std::int64_t fraction_micros = 0;
  if (take(text, at, ".")) {
    std::size_t count = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++count) {
      if (count < 6) fraction_micros = fraction_micros * 10 + (text[at] - '0');
    }
    if (count == 0) return bad();
    for (; count < 6; ++count)
      fraction_micros *= 10;
  }
  int offset_minutes = 0;
  if (!take(text, at, "Zz")) {
    if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return bad();
    const int sign = text[at++] == '-' ? -1 : 1;
    const auto offset_hour = digits(text, at, 2);
    if (!offset_hour || !take(text, at, ":")) return bad();
    const auto offset_minute = digits(text, at, 2);
    if (!offset_minute) return bad();
    if (*offset_hour > 23 || *offset_minute > 59) return refused("the UTC offset is out of range");
    offset_minutes = sign * (*offset_hour * 60 + *offset_minute);
  }
  if (at != text.size()) return bad();

  const year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                            std::chrono::day(*day)};
  if (!date.ok()) return refused("no such date");
  if (*hour > 23 || *minute > 59) return refused("the time of day is out of range");
  if (*second == 60) return refused("leap seconds (:60) are not supported");
  if (*second > 59) return refused("the seconds are out of range");
  const auto local = sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) +
                     microseconds(fraction_micros);
  const time_point utc = local - minutes(offset_minutes);
  if (utc < time_point{}) return refused("the time is before 1970");
  if (utc > time_point(microseconds(latest_time_ms * 1000 + 999))) {
    return refused("the time is after the year 9999");
  }
  return utc;
}

}  // namespace

tl::expected<time_point, std::string> parse_time(std::string_view text) {
  if (text.empty()) return refused("the time is empty");
  if (text.size() > 64) return refused("the time is too long");
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    return parse_milliseconds(text);
  }
  return parse_rfc3339(text);
}

std::string format_time(time_point at) {
  const auto day = floor<days>(at);
  const year_month_day date(day);
  const hh_mm_ss clock(at - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02lld.%06lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<long long>(clock.seconds().count()),
                static_cast<long long>(clock.subseconds().count()));
  return text;
}

std::int64_t milliseconds_of(time_point at) {
  return floor<milliseconds>(at).time_since_epoch().count();
}

}  // namespace berth::audit
