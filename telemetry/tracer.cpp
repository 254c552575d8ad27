#include "telemetry/tracer.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace berth::telemetry {
namespace {

struct tracer_state {
  std::mutex mutex;
  std::vector<span_record> ring;  ///< circular once full
  std::size_t capacity = 8192;
  std::size_t next = 0;  ///< where the next span goes once the ring is full
  std::function<bool(const span_record&)> sink;
};

tracer_state& state() {
  static tracer_state instance;
  return instance;
}

std::atomic<bool> enabled{true};
std::atomic<std::uint64_t> recorded{0}, dropped{0}, exported{0}, failures{0};

/// The ring's spans, oldest first.
std::vector<span_record> snapshot_locked(const tracer_state& s) {
  if (s.ring.size() < s.capacity) return s.ring;
  std::vector<span_record> spans;
  spans.reserve(s.ring.size());
  for (std::size_t i = 0; i < s.ring.size(); ++i)
    spans.push_back(s.ring[(s.next + i) % s.ring.size()]);
  return spans;
}

}  // namespace

void set_tracing_enabled(bool on) {
  enabled = on;
}

bool tracing_enabled() {
  return enabled.load(std::memory_order_relaxed);
}

void set_recent_span_capacity(std::size_t spans) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.capacity = std::max<std::size_t>(1, spans);
  s.ring.clear();
  s.next = 0;
}

void set_span_sink(std::function<bool(const span_record&)> sink) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sink = std::move(sink);
}

void record_span(span_record finished) {
  auto& s = state();
  recorded.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(s.mutex);
  if (s.sink && !s.sink(finished)) dropped.fetch_add(1, std::memory_order_relaxed);
  if (s.ring.size() < s.capacity) {
    s.ring.push_back(std::move(finished));
  } else {
    s.ring[s.next] = std::move(finished);
    s.next = (s.next + 1) % s.capacity;
  }
}

void count_exported(std::uint64_t spans) {
  exported.fetch_add(spans, std::memory_order_relaxed);
}

void count_export_failure() {
  failures.fetch_add(1, std::memory_order_relaxed);
}

tracer_stats current_tracer_stats() {
  return {recorded.load(), dropped.load(), exported.load(), failures.load()};
}

std::vector<trace_summary> recent_traces(std::size_t limit) {
  std::vector<span_record> spans;
  {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    spans = snapshot_locked(s);
  }
  std::unordered_map<std::string, std::size_t> index_of;
  std::vector<trace_summary> traces;
  std::vector<bool> has_root;
  for (const auto& record : spans) {
    const auto id = record.context.trace_id_hex();
    auto [found, inserted] = index_of.try_emplace(id, traces.size());
    if (inserted) {
      traces.push_back({id, record.name, record.start_unix_nano, record.end_unix_nano, 0, false});
      has_root.push_back(false);
    }
    auto& summary = traces[found->second];
    const bool is_root = record.parent == span_id{};
    if (is_root && !has_root[found->second]) {
      summary.root_name = record.name;
      has_root[found->second] = true;
    } else if (!has_root[found->second] && record.start_unix_nano < summary.start_unix_nano) {
      summary.root_name = record.name;
    }
    summary.start_unix_nano = std::min(summary.start_unix_nano, record.start_unix_nano);
    summary.end_unix_nano = std::max(summary.end_unix_nano, record.end_unix_nano);
    summary.span_count += 1;
    summary.error = summary.error || record.error;
  }
  std::sort(traces.begin(), traces.end(),
            [](const auto& a, const auto& b) { return a.start_unix_nano > b.start_unix_nano; });
  if (traces.size() > limit) traces.resize(limit);
  return traces;
}

std::vector<span_record> spans_of_trace(const std::string& trace_id_hex) {
  std::vector<span_record> found;
  trace_id wanted{};
  if (!from_hex(trace_id_hex, wanted.data(), wanted.size())) return found;
  {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    for (const auto& record : s.ring) {
      if (record.context.trace == wanted) found.push_back(record);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.start_unix_nano < b.start_unix_nano; });
  return found;
}

void clear_recent_spans() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.ring.clear();
  s.next = 0;
}

}  // namespace berth::telemetry
