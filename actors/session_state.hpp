#pragma once

// A terminal session as its `session-<id>` stream tells it (docs/events.md), and the pure
// functions that build its events and fold them. No CAF, no I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actors/session_events.hpp"
#include "events/event.hpp"

namespace berth::actors {

/// Where one OutputRecorded event's bytes sit in the output, to find the event holding an offset.
struct output_chunk {
  std::int64_t offset = 0;   ///< absolute offset of the first byte
  std::int64_t end = 0;      ///< offset after the last byte
  std::int64_t version = 0;  ///< stream version of the event
};

/// How a session ended.
struct session_close {
  std::string
      reason;  ///< `exited`, `closed_by_user`, `grace_expired`, `workspace_stopped`, `shell_lost`
  std::optional<int> exit_status;  ///< exit code, or the signal number when `signaled`
  bool signaled = false;
};

/// Everything the session's events say.
struct session_state {
  std::string id, workspace_id, user_id, keeper_session;
  std::string name;  ///< given by SessionRenamed; empty until then
  int cols = 80, rows = 24;
  std::int64_t opened_ms = 0;
  std::int64_t version = 0;      ///< stream version of the last event folded
  std::int64_t output_end = 0;   ///< bytes of output recorded
  std::int64_t input_bytes = 0;  ///< bytes of input recorded
  std::vector<output_chunk> output_index;
  std::set<std::string> attached_clients;  ///< client ids attached and not detached
  std::int64_t unattended_since_ms = 0;    ///< when the last client left (or the open)
  std::int64_t last_event_ms = 0;          ///< when the newest event was recorded
  std::optional<session_close> closed;

  bool exists() const { return version > 0; }
};

/// What folding one event did.
enum class fold_outcome {
  folded,        ///< the state follows the event
  unknown_type,  ///< a type this code does not know (a newer server wrote it): skipped
  unreadable,    ///< a known type whose data cannot be read: the stream is corrupt
};

/// Folds one recorded event of the session's stream into the state; an unknown or unreadable
/// event only advances the version and the time of the newest event, and says so.
fold_outcome evolve(session_state& state, const events::recorded_event& event);

/// The grace a recovered session already used: the time the server was up with no client
/// attached, from the last detach (or the open) to the newest event recorded before the
/// restart; none when a client was attached then. Downtime never counts, however long.
std::chrono::milliseconds grace_spent_before_restart(const session_state& state);

/// Metadata of a session's events: who caused them, from where, in which trace.
struct session_origin {
  std::string actor_id = "system";
  std::string remote_address;
  std::string trace_id;
  std::string node;
  std::string span_id;  ///< the caller's span (with trace_id: where an auditor finds the cause)
};

/// An event as appended: a fresh id, the encoded data, metadata from `origin` and the body
/// (the bytes of OutputRecorded and InputRecorded).
events::new_event new_session_event(const session_event_variant& event,
                                    const session_origin& origin,
                                    std::optional<std::string> body = std::nullopt);

/// The events, as appended (ids fresh, metadata from `origin`).
events::new_event session_opened_event(const session_state& opened, const session_origin& origin);
events::new_event output_recorded_event(std::int64_t offset, std::string bytes,
                                        const session_origin& origin);
events::new_event input_recorded_event(std::string bytes, const session_origin& origin);

/// Longest session name, in characters (Unicode code points).
inline constexpr std::size_t max_session_name_length = 64;
/// Why `name` cannot name a session (empty when it can): 1 to 64 characters of valid UTF-8,
/// none of them a control character (C0, DEL or C1).
std::string session_name_problem(std::string_view name);

/// The stream of a session.
std::string session_stream(const std::string& session_id);

/// The index of the chunk holding `offset` (the first chunk ending after it), or the size of
/// the index when the offset is at or past the end.
std::size_t chunk_holding(const std::vector<output_chunk>& index, std::int64_t offset);

}  // namespace berth::actors
