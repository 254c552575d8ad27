#pragma once

// W3C trace context (https://www.w3.org/TR/trace-context/): the ids that tie a request's
// spans together, how they are read from and written to a `traceparent` header, and how new
// ones are made. Plain values: they travel inside actor messages and into event metadata.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::telemetry {

using trace_id = std::array<std::uint8_t, 16>;
using span_id = std::array<std::uint8_t, 8>;

/// The position of a span in its trace: which trace, which span, and the trace flags.
/// An all-zero trace id means "no trace".
struct trace_context {
  trace_id trace{};
  span_id span{};
  std::uint8_t flags = 0;

  /// Both ids are set (not all zero).
  bool valid() const;
  /// The sampled flag (bit 0): spans of an unsampled trace are not recorded.
  bool sampled() const { return (flags & 0x01) != 0; }
  /// 32 lowercase hex characters, or empty when not valid.
  std::string trace_id_hex() const;
  /// 16 lowercase hex characters, or empty when not valid.
  std::string span_id_hex() const;

  friend bool operator==(const trace_context&, const trace_context&) = default;
};

/// Parses a `traceparent` header value. Invalid values give nothing (the caller then starts
/// a new trace and ignores `tracestate`, as the specification asks): wrong length or
/// separators, uppercase or non-hex digits, version `ff`, all-zero ids, or extra text after
/// a version-00 value. A higher version is read by its first four fields.
std::optional<trace_context> parse_traceparent(std::string_view header);

/// `00-<trace id>-<span id>-<flags>` (55 characters); empty when `context` is not valid.
std::string format_traceparent(const trace_context& context);

/// Random, never all-zero ids (a fast per-thread generator seeded from the OS).
trace_id new_trace_id();
span_id new_span_id();

/// Lowercase hex of `bytes`.
std::string to_hex(const std::uint8_t* bytes, std::size_t size);
/// Parses exactly `size` bytes of lowercase hex from `text`; false on anything else.
bool from_hex(std::string_view text, std::uint8_t* bytes, std::size_t size);

}  // namespace berth::telemetry
