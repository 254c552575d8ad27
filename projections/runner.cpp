#include "projections/runner.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "telemetry/berth_metrics.hpp"
#include "telemetry/span.hpp"

namespace berth::projections {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// How often a wait for appends checks for a stop request: the bound on stop latency.
constexpr milliseconds stop_check_interval{100};
/// First look again when committed events are held back by the feed's horizon.
constexpr milliseconds held_back_first_retry{10};

/// The span that caused an event, from its metadata (`trace_id`, `span_id`), so a read
/// model's batch shows up in the trace of the request whose change it applies.
telemetry::trace_context cause_of(const events::recorded_event& event) {
  telemetry::trace_context cause;
  boost::system::error_code failed;
  const auto metadata = boost::json::parse(event.metadata, failed);
  if (failed || !metadata.is_object()) return cause;
  const auto* trace = metadata.as_object().if_contains("trace_id");
  const auto* span = metadata.as_object().if_contains("span_id");
  if (!trace || !span || !trace->is_string() || !span->is_string() ||
      !telemetry::from_hex(trace->as_string(), cause.trace.data(), cause.trace.size()) ||
      !telemetry::from_hex(span->as_string(), cause.span.data(), cause.span.size())) {
    return {};
  }
  cause.flags = 0x01;
  return cause;
}

/// Times one applied page of a read model (its transaction included).
void record_applied(const std::string& projection, steady_clock::time_point started) {
  telemetry::berth_metrics().projection_apply.with({projection}).observe_since(started);
}

}  // namespace

projection_runner::projection_runner(events::event_store& store, projection read_model,
                                     options opts)
    : store_(store),
      projection_(std::move(read_model)),
      options_(std::move(opts)),
      queries_(options_.database_url) {}

projection_runner::~projection_runner() {
  stop();
}

void projection_runner::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  status_.running = true;
  thread_ = std::thread([this] { run(); });
}

void projection_runner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  status_.running = false;
}

projection_runner::status projection_runner::current_status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

events::result<projection_lag> projection_runner::lag() {
  std::lock_guard lock(queries_mutex_);
  return measure_lag(queries_, projection_.name);
}

bool projection_runner::wait_until_caught_up(milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  events::result<std::optional<events::feed_checkpoint>> head;
  {
    std::lock_guard lock(queries_mutex_);
    head = feed_head(queries_);
  }
  if (!head) return false;
  if (!*head) return true;  // an empty feed: nothing to apply
  return wait_for_checkpoint(**head, deadline);
}

bool projection_runner::wait_for_position(std::int64_t global_position, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  const auto applied_up_to = current_status().checkpoint;
  events::result<std::optional<events::feed_checkpoint>> pending;
  {
    std::lock_guard lock(queries_mutex_);
    pending = find_after(queries_, applied_up_to, global_position);
  }
  if (!pending) return false;
  // A committed event that is not after the checkpoint is at or before it: applied.
  if (!*pending) return true;
  return wait_for_checkpoint(**pending, deadline);
}

bool projection_runner::wait_for_checkpoint(events::feed_checkpoint target,
                                            steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline,
                             [&] { return at_or_after(status_.checkpoint, target); });
}

void projection_runner::run() {
  events::pg_connection connection(options_.database_url);
  events::notification_listener listener(options_.database_url);
  // Unset after any failure: a commit may or may not have happened, so only the stored
  // checkpoint can say where to resume.
  std::optional<events::feed_checkpoint> checkpoint;
  auto backoff = options_.min_backoff;
  auto held_back_retry = held_back_first_retry;
  const auto back_off = [&](const events::error& error) {
    failed(error);
    checkpoint.reset();
    pause(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  };
  while (!stop_requested()) {
    if (!checkpoint) {
      // Listen before reading, so an append committed after the read still wakes us.
      if (auto listening = listener.wait(milliseconds(0)); !listening) {
        back_off(listening.error());
        continue;
      }
      auto loaded = load_checkpoint(connection, projection_.name);
      if (!loaded) {
        back_off(loaded.error());
        continue;
      }
      checkpoint = *loaded;
      published(*checkpoint, 0);
    }
    auto page = store_.read_feed(*checkpoint, options_.page_size);
    if (!page) {
      back_off(page.error());
      continue;
    }
    if (page->events.empty()) {
      // Events committed but held back by an older open transaction need no NOTIFY to be
      // released (the transaction may not be an append): look again soon, then less often.
      auto held_back = has_events_after(connection, *checkpoint);
      if (!held_back) {
        back_off(held_back.error());
        continue;
      }
      auto timeout = options_.poll_interval;
      if (*held_back) {
        timeout = std::min(held_back_retry, options_.poll_interval);
        held_back_retry = std::min(held_back_retry * 2, options_.poll_interval);
      }
      if (auto waited = wait_for_appends(listener, timeout); !waited) back_off(waited.error());
      continue;
    }
    const auto apply_started = steady_clock::now();
    telemetry::span applying("berth.projections", "projection " + projection_.name,
                             telemetry::span_kind::consumer, cause_of(page->events.front()));
    applying.set("projection", projection_.name);
    applying.set("events", page->events.size());
    auto applied = apply_page(connection, projection_, *checkpoint, *page);
    if (!applied) {
      applying.set_error(events::to_string(applied.error().code));
      back_off(applied.error());
      continue;
    }
    log_unknown_types(applied->unknown_types);
    if (applied->outcome == page_outcome::checkpoint_moved) {
      conflicted();
      checkpoint.reset();
      continue;
    }
    record_applied(projection_.name, apply_started);
    checkpoint = page->next;
    published(*checkpoint, page->events.size());
    backoff = options_.min_backoff;
    held_back_retry = held_back_first_retry;
  }
}

events::result<void> projection_runner::wait_for_appends(events::notification_listener& listener,
                                                         milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  // LISTEN blocks in the driver, out of reach of the condition variable: wait in short
  // slices so that stop() is answered promptly.
  while (!stop_requested()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left <= milliseconds(0)) return {};
    auto notified = listener.wait(std::min(left, stop_check_interval));
    if (!notified) return tl::unexpected(notified.error());
    if (*notified) return {};
  }
  return {};
}

void projection_runner::pause(milliseconds duration) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, duration, [this] { return stopping_; });
}

bool projection_runner::stop_requested() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void projection_runner::published(events::feed_checkpoint checkpoint, std::size_t events_applied) {
  {
    std::lock_guard lock(mutex_);
    status_.checkpoint = checkpoint;
    status_.events_applied += static_cast<std::int64_t>(events_applied);
    status_.last_error.reset();
  }
  changed_.notify_all();
}

void projection_runner::failed(const events::error& error) {
  {
    std::lock_guard lock(mutex_);
    status_.last_error = error;
  }
  // PostgreSQL going away is the environment; anything else is a bug or an operator problem.
  const auto level =
      error.code == events::error_code::dependency_unavailable ? log_level::warn : log_level::error;
  log(level, "projection failed, retrying from its stored checkpoint", error.message);
}

void projection_runner::conflicted() {
  {
    std::lock_guard lock(mutex_);
    ++status_.checkpoint_conflicts;
  }
  log(log_level::warn, "checkpoint moved by another projector, re-reading it", projection_.name);
}

void projection_runner::log_unknown_types(const std::set<std::string>& types) {
  for (const auto& type : types) {
    if (logged_unknown_types_.insert(type).second) {
      log(log_level::debug, "projection skips an unknown event type", type);
    }
  }
}

void projection_runner::log(log_level level, std::string_view message,
                            std::string_view detail) const {
  if (options_.log) options_.log(level, message, detail);
}

}  // namespace berth::projections
