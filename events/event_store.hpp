#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/error.hpp"
#include "events/event.hpp"

namespace berth::events {

class append_writer;
class connection_pool;

/// The PostgreSQL event store: appends (group-committed), stream reads, the gap-safe global
/// feed, snapshots and hash-chain verification. Thread-safe; blocking calls — run them off
/// actor scheduler threads and Asio threads.
/// Whether a stream read carries the events' bodies (terminal bytes). Folding a session's
/// state needs only where each output chunk sits, not its bytes.
enum class bodies { included, left_out };

class event_store {
 public:
  struct options {
    std::string database_url;
    int writer_threads = 2;
    std::size_t read_connections = 4;
  };

  explicit event_store(options opts);
  ~event_store();
  event_store(const event_store&) = delete;
  event_store& operator=(const event_store&) = delete;

  /// Queues an append; `done` runs on a writer thread once it is committed or failed.
  void append_async(append_request request, std::function<void(result<append_result>)> done);
  /// Appends and waits for the outcome.
  result<append_result> append(append_request request);

  /// Up to `limit` events of a stream from `from_version` on, in version order.
  result<std::vector<recorded_event>> read_stream(const std::string& stream_id,
                                                  std::int64_t from_version = 1,
                                                  std::size_t limit = 1000,
                                                  bodies read_bodies = bodies::included);
  /// Calls `visit` for every event of a stream from `from_version` on, reading in pages.
  result<std::int64_t> fold_stream(const std::string& stream_id, std::int64_t from_version,
                                   const std::function<void(const recorded_event&)>& visit,
                                   bodies read_bodies = bodies::included);
  /// Many streams in one query (recovering many actors at once costs one round trip, not one
  /// per stream): for each id, in the order given, the newest snapshot written by fold code
  /// `state_version` (none asked for when nothing) and up to `events_per_stream` events after
  /// it. A tail holding exactly `events_per_stream` events may go on: read the rest with
  /// fold_stream.
  result<std::vector<stream_tail>> read_stream_tails(const std::vector<std::string>& stream_ids,
                                                     std::optional<int> state_version,
                                                     std::size_t events_per_stream);
  /// The stream's current version (0 when it does not exist).
  result<std::int64_t> stream_version(const std::string& stream_id);

  /// Events committed after `after`, in (transaction, position) order, never skipping a
  /// transaction that commits late: only transactions below the snapshot horizon are read.
  /// Without their bodies (terminal bytes): read models never need them; read_stream has them.
  result<feed_page> read_feed(feed_checkpoint after, std::size_t limit = 1000);

  /// Saves a snapshot (keeps the newest per stream and state version).
  result<void> save_snapshot(const snapshot& snap);
  /// The newest snapshot written by fold code `state_version`, if any.
  result<std::optional<snapshot>> load_snapshot(const std::string& stream_id, int state_version);

  /// Recomputes a stream's hash chain and names the first broken link.
  result<chain_report> verify_stream(const std::string& stream_id);
  /// Round-trip time of a trivial query, in milliseconds (for /healthz).
  result<double> ping();
  /// Every stream id, in order (for `audit verify`).
  result<std::vector<std::string>> stream_ids();

 private:
  std::unique_ptr<connection_pool> readers_;
  std::unique_ptr<append_writer> writer_;
};

/// Waits for appends announced by NOTIFY on a dedicated connection.
class notification_listener {
 public:
  explicit notification_listener(std::string database_url);
  ~notification_listener();
  /// True when an append was announced within `timeout`, false on timeout.
  result<bool> wait(std::chrono::milliseconds timeout);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::events
