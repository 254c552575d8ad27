#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "events/event_store.hpp"
#include "events/pg_connection.hpp"
#include "projections/checkpoint_store.hpp"
#include "projections/row_change.hpp"

namespace berth::projections {

/// Severity of a runner's log line; app/ maps it onto telemetry's levels.
enum class log_level { debug, warn, error };

/// Follows the gap-safe feed on its own thread and applies each page to one read model in
/// the same transaction as the compare-and-set of that projection's checkpoint.
class projection_runner {
 public:
  struct options {
    std::string database_url;
    /// Events per transaction. Terminal output bodies (up to 64 KiB each) come with the page,
    /// so this also bounds memory: 256 events of output are at most 16 MiB.
    std::size_t page_size = 256;
    /// Longest sleep without a NOTIFY: the safety net for a notification lost while the
    /// listening connection was down.
    std::chrono::milliseconds poll_interval{1000};
    /// First and longest wait after a failure (doubling in between).
    std::chrono::milliseconds min_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    /// Receives log lines: a constant message and a variable detail. May be empty.
    std::function<void(log_level, std::string_view message, std::string_view detail)> log;
  };

  /// What the runner has done so far, for /healthz and tests.
  struct status {
    bool running = false;
    /// The checkpoint this runner last committed or read from es_checkpoints.
    events::feed_checkpoint checkpoint;
    std::int64_t events_applied = 0;
    /// Pages rolled back because another projector had moved the checkpoint.
    std::int64_t checkpoint_conflicts = 0;
    /// The latest failure; cleared by the next successful feed read.
    std::optional<events::error> last_error;
  };

  /// `store` must outlive the runner; its read connections serve the feed.
  projection_runner(events::event_store& store, projection read_model, options opts);
  /// Stops the thread.
  ~projection_runner();
  projection_runner(const projection_runner&) = delete;
  projection_runner& operator=(const projection_runner&) = delete;

  /// Starts the thread (no-op when running); it resumes from the stored checkpoint.
  void start();
  /// Asks the thread to stop and joins it: within about 100 ms plus any query in flight.
  void stop();

  /// A copy of the runner's status.
  status current_status() const;
  /// Events and seconds behind the feed, measured now from the stored checkpoint (works
  /// while the runner is stopped).
  events::result<projection_lag> lag();

  /// True once every event committed before the call is applied; false on timeout or when
  /// PostgreSQL cannot be asked.
  bool wait_until_caught_up(std::chrono::milliseconds timeout);
  /// True once the event at `global_position` (returned by a successful append) is applied,
  /// so a handler can read its own writes; false on timeout or when PostgreSQL cannot be asked.
  bool wait_for_position(std::int64_t global_position, std::chrono::milliseconds timeout);

 private:
  void run();
  events::result<void> wait_for_appends(events::notification_listener& listener,
                                        std::chrono::milliseconds timeout);
  void pause(std::chrono::milliseconds duration);
  bool stop_requested();
  bool wait_for_checkpoint(events::feed_checkpoint target,
                           std::chrono::steady_clock::time_point deadline);
  void published(events::feed_checkpoint checkpoint, std::size_t events_applied);
  void failed(const events::error& error);
  void conflicted();
  void log_unknown_types(const std::set<std::string>& types);
  void log(log_level level, std::string_view message, std::string_view detail) const;

  events::event_store& store_;
  const projection projection_;
  const options options_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  ///< the checkpoint moved, or a stop was requested
  bool stopping_ = false;
  status status_;

  std::mutex queries_mutex_;
  events::pg_connection queries_;  ///< lag and wait look-ups from callers' threads

  std::set<std::string> logged_unknown_types_;  ///< touched by the runner thread only
  std::thread thread_;
};

}  // namespace berth::projections
