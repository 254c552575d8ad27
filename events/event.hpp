#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::events {

/// Expected-version values with a special meaning; positive values name an exact version.
namespace expected_version {
inline constexpr std::int64_t any = -1;       ///< append whatever the stream's version is
inline constexpr std::int64_t no_stream = 0;  ///< the stream must not exist yet
}  // namespace expected_version

/// An event about to be appended. `data` and `metadata` are JSON object texts.
struct new_event {
  std::string event_id;  ///< UUID text; the same id re-appended is a no-op (idempotency)
  std::string type;      ///< stable type name, e.g. `WorkspaceCreated`
  int schema_version = 1;
  std::string data = "{}";
  std::optional<std::string> body;  ///< binary payload (terminal output), never base64 JSON
  std::string metadata = "{}";
};

/// One append: events for one stream, guarded by the version the caller expects.
struct append_request {
  std::string stream_id;    ///< `<type>-<id>`, e.g. `workspace-42`
  std::string stream_type;  ///< `workspace`, `session`, ...; derived from stream_id when empty
  std::int64_t expected_version = expected_version::any;
  std::vector<new_event> events;
};

/// Where an append landed.
struct append_result {
  std::int64_t first_version = 0;
  std::int64_t last_version = 0;
  std::vector<std::int64_t> global_positions;  ///< one per event, in request order
  bool already_appended = false;  ///< the event ids were already stored: nothing new written
  std::size_t batch_appends = 0;  ///< appends committed in the same transaction (group commit)
};

/// An event as stored.
struct recorded_event {
  std::string stream_id;
  std::int64_t stream_version = 0;
  std::int64_t global_position = 0;
  std::uint64_t transaction_id = 0;
  std::string event_id;
  std::string type;
  int schema_version = 1;
  std::string data;
  std::optional<std::string> body;
  std::string metadata;
  std::chrono::system_clock::time_point recorded_at;
};

/// A position in the global feed: events are ordered by (transaction_id, global_position).
struct feed_checkpoint {
  std::uint64_t transaction_id = 0;
  std::int64_t global_position = 0;
  friend bool operator==(const feed_checkpoint&, const feed_checkpoint&) = default;
};

/// One page of the global feed and the checkpoint after its last event.
struct feed_page {
  std::vector<recorded_event> events;
  feed_checkpoint next;
};

/// A saved fold of a stream at `stream_version`, valid only for fold code `state_version`.
struct snapshot {
  std::string stream_id;
  std::int64_t stream_version = 0;
  int state_version = 0;
  std::string state;
};

/// What a batched load read of one stream: its newest snapshot (when asked for and present)
/// and the events after it.
struct stream_tail {
  std::string stream_id;
  std::optional<events::snapshot> snapshot;
  std::vector<recorded_event> events;  ///< after the snapshot, in version order
};

/// The outcome of walking one stream's hash chain.
struct chain_report {
  std::string stream_id;
  std::int64_t events_checked = 0;
  /// The first version whose stored hash or link does not match; empty when the chain holds.
  std::optional<std::int64_t> first_broken_version;
  std::string reason;
  bool ok() const { return !first_broken_version.has_value(); }
};

/// The part of a stream id before the first `-` (`workspace-42` → `workspace`).
std::string stream_type_of(const std::string& stream_id);

}  // namespace berth::events
