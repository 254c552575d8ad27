#pragma once

// Points in time as auditors type and read them: RFC 3339 (https://www.rfc-editor.org/rfc/
// rfc3339#section-5.6) or milliseconds since the Unix epoch. Pure.

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace berth::audit {

/// A point in time at the event store's resolution (`recorded_at` is microseconds).
using time_point = std::chrono::sys_time<std::chrono::microseconds>;

/// The latest time accepted: 9999-12-31T23:59:59.999999Z, the last instant RFC 3339 can spell.
inline constexpr std::int64_t latest_time_ms = 253'402'300'799'999;

/// `text` as a time: RFC 3339 (`2026-11-23T13:00:00Z`, `2026-11-23t14:00:00.25+01:00`; `T`
/// or a space between date and time; fractional digits past microseconds are cut off), or
/// integer milliseconds since the epoch (`1795438800000`). Leap seconds (`:60`) and times
/// before 1970 or after 9999 are refused; the error says what is wrong.
tl::expected<time_point, std::string> parse_time(std::string_view text);

/// `at` in RFC 3339, UTC, with microseconds: `2026-11-23T13:00:00.000000Z`.
std::string format_time(time_point at);

/// Milliseconds since the epoch, rounded down.
std::int64_t milliseconds_of(time_point at);

}  // namespace berth::audit
