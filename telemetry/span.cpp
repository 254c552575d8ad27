#include "telemetry/span.hpp"

#include <chrono>

#include "telemetry/tracer.hpp"

namespace berth::telemetry {
namespace {

thread_local trace_context current;

}  // namespace

std::int64_t unix_nanos_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

trace_context current_context() {
  return current;
}

span::span(std::string_view scope, std::string_view name, span_kind kind) {
  begin(scope, name, kind, current);
}

span::span(std::string_view scope, std::string_view name, span_kind kind,
           const trace_context& parent) {
  begin(scope, name, kind, parent);
}

void span::begin(std::string_view scope, std::string_view name, span_kind kind,
                 const trace_context& parent) {
  if (parent.valid()) {
    record_.context.trace = parent.trace;
    record_.context.flags = parent.flags;
    record_.parent = parent.span;
  } else {
    record_.context.trace = new_trace_id();
    record_.context.flags = 0x01;
  }
  record_.context.span = new_span_id();
  recording_ = tracing_enabled() && record_.context.sampled();
  if (recording_) {
    record_.scope = scope;
    record_.name = name;
    record_.kind = kind;
    record_.start_unix_nano = unix_nanos_now();
  }
  outer_ = current;
  current = record_.context;
}

span::~span() {
  end();
}

void span::end() {
  if (ended_) return;
  ended_ = true;
  if (current == record_.context) current = outer_;
  if (!recording_) return;
  record_.end_unix_nano = unix_nanos_now();
  record_span(std::move(record_));
}

void span::set(std::string_view key, std::string_view value) {
  if (recording_) record_.attributes.emplace_back(std::string(key), std::string(value));
}

void span::set(std::string_view key, std::int64_t value) {
  if (recording_) record_.attributes.emplace_back(std::string(key), value);
}

void span::set(std::string_view key, double value) {
  if (recording_) record_.attributes.emplace_back(std::string(key), value);
}

void span::set(std::string_view key, bool value) {
  if (recording_) record_.attributes.emplace_back(std::string(key), value);
}

void span::set_error(std::string_view description) {
  if (!recording_) return;
  record_.error = true;
  record_.status_message = description;
}

void span::rename(std::string_view name) {
  if (recording_) record_.name = name;
}

scoped_context::scoped_context(const trace_context& context) : outer_(current) {
  current = context;
}

scoped_context::~scoped_context() {
  current = outer_;
}

}  // namespace berth::telemetry
