#pragma once

// `berth audit history` and GET /api/audit/workspaces/{wid}/history: every event of a
// workspace's stream, and the workspace as it was at a given time, folded from those events
// with the aggregate's own pure `evolve` (actors/workspace_aggregate.hpp), never read from
// the read model, so the answer is what the log proves.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <tl/expected.hpp>

#include "actors/workspace_aggregate.hpp"
#include "audit/time_text.hpp"
#include "events/error.hpp"
#include "events/event.hpp"

namespace berth::events {
class event_store;
}  // namespace berth::events

namespace berth::audit {

/// One event of the workspace's stream as an auditor reads it.
struct history_event {
  std::int64_t version = 0;
  std::string type;
  time_point recorded_at;
  std::string actor;                    ///< a user id or `system`; empty when not recorded
  std::optional<std::string> trace_id;  ///< the trace of the request that caused it
  std::string data;                     ///< the event's JSON data
  bool in_state = false;                ///< recorded at or before `at`: folded into the state
};

/// A workspace's events and its state at `at` (now when absent).
struct workspace_history {
  std::string workspace_id;
  std::optional<time_point> at;
  std::vector<history_event> events;
  /// Status `none` and version 0 when the workspace did not exist yet at `at`.
  actors::workspace_state state;
};

/// Folds `stream` (every event of `workspace-<workspace_id>`, in version order) up to and
/// including the events recorded at `at`. Pure; an event the aggregate cannot decode is an
/// error, since a state folded without it would be a guess.
tl::expected<workspace_history, std::string> fold_history(
    const std::string& workspace_id, const std::vector<events::recorded_event>& stream,
    std::optional<time_point> at);

/// Reads and folds the stream of `workspace_id`; nothing when the workspace never existed.
events::result<std::optional<workspace_history>> read_workspace_history(
    events::event_store& store, const std::string& workspace_id, std::optional<time_point> at);

/// `{"workspace_id","at_ms","events":[...],"state":{...}}` (docs/api.md "Audit").
boost::json::object history_json(const workspace_history& history);

}  // namespace berth::audit
