#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace berth::telemetry {

/// Severity of a log line (OTel's names).
enum class level { trace, debug, info, warn, error, fatal };

/// A structured field value.
using field_value = std::variant<std::string_view, std::int64_t, double, bool>;
/// One `key: value` field of a log line.
using field = std::pair<std::string_view, field_value>;

/// Writes one JSON object per line to stderr: ts (RFC 3339 UTC, microseconds), level,
/// msg, logger, trace_id/span_id/trace_flags of this thread's current span (span.hpp) when
/// there is one, then the fields. Thread-safe; lines are never interleaved. Callers must not
/// pass secrets, DSNs or tokens as fields.
void log(level severity, std::string_view logger, std::string_view message,
         std::initializer_list<field> fields = {});

/// Lines below this level are dropped (default info).
void set_min_level(level minimum);

/// Parses `trace|debug|info|warn|error|fatal`; false when unknown.
bool parse_level(std::string_view text, level& out);

/// Escapes `text` as the inside of a JSON string (control characters, quotes, backslashes,
/// invalid UTF-8 replaced by U+FFFD).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace berth::telemetry
