#pragma once

// Spans: one timed operation in a trace (an HTTP request, an actor command, an event-store
// append, a Docker call). A span is an RAII value on the stack of the thread doing the work;
// while it lives it is that thread's *current* span, so the calls it makes on the same
// thread become its children without passing anything. Across threads and actors the
// context travels explicitly (a `trace_context` in the message) and the receiving side
// starts its span with that parent. Finished spans go to the tracer (tracer.hpp).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "telemetry/trace_context.hpp"

namespace berth::telemetry {

/// OTLP's span kinds (the numbers are the protocol's).
enum class span_kind : int { internal = 1, server = 2, client = 3, producer = 4, consumer = 5 };

/// One attribute value: text, integer, floating point or boolean.
using attribute_value = std::variant<std::string, std::int64_t, double, bool>;

/// A span once it ended: what the tracer keeps and exports.
struct span_record {
  trace_context context;  ///< this span's trace, id and flags
  span_id parent{};       ///< all zero for a root span
  std::string scope;      ///< the instrumentation scope: `berth.http`, `berth.docker`, ...
  std::string name;
  span_kind kind = span_kind::internal;
  std::int64_t start_unix_nano = 0, end_unix_nano = 0;
  bool error = false;          ///< status Error (never set Ok, per OTel's conventions)
  std::string status_message;  ///< why, when `error`
  std::vector<std::pair<std::string, attribute_value>> attributes;
};

/// A span in progress. Not copyable or movable: it lives in one scope of one thread.
class span {
 public:
  /// A child of this thread's current span, or a root span when there is none.
  span(std::string_view scope, std::string_view name, span_kind kind = span_kind::internal);
  /// A child of `parent`; a root span of a new trace when `parent` is not valid.
  span(std::string_view scope, std::string_view name, span_kind kind, const trace_context& parent);
  ~span();
  span(const span&) = delete;
  span& operator=(const span&) = delete;

  void set(std::string_view key, std::string_view value);
  void set(std::string_view key, const char* value) { set(key, std::string_view(value)); }
  void set(std::string_view key, std::int64_t value);
  void set(std::string_view key, int value) { set(key, static_cast<std::int64_t>(value)); }
  void set(std::string_view key, std::size_t value) { set(key, static_cast<std::int64_t>(value)); }
  void set(std::string_view key, double value);
  void set(std::string_view key, bool value);
  /// Marks the span failed, with a short description (never a secret).
  void set_error(std::string_view description);
  /// Renames the span (e.g. once the route is known).
  void rename(std::string_view name);

  /// This span's context: what children and outgoing `traceparent` headers carry.
  const trace_context& context() const { return record_.context; }
  /// Whether the span will be kept (tracing on and the trace sampled).
  bool recording() const { return recording_; }
  /// Ends the span now (the destructor does nothing afterwards).
  void end();

 private:
  void begin(std::string_view scope, std::string_view name, span_kind kind,
             const trace_context& parent);

  span_record record_;
  trace_context outer_;  ///< the thread's current span before this one
  bool recording_ = false;
  bool ended_ = false;
};

/// The current span's context on this thread (not valid when none).
trace_context current_context();

/// Makes `context` the current one on this thread for the scope's lifetime, so spans
/// started here become its children (for work handed to another thread with its context).
class scoped_context {
 public:
  explicit scoped_context(const trace_context& context);
  ~scoped_context();
  scoped_context(const scoped_context&) = delete;
  scoped_context& operator=(const scoped_context&) = delete;

 private:
  trace_context outer_;
};

/// Nanoseconds since the Unix epoch, now.
std::int64_t unix_nanos_now();

}  // namespace berth::telemetry
