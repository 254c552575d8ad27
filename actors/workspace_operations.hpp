#pragma once

// The blocking half of a workspace actor: loading its state from the event store, Docker
// work, and appending the events that record the outcome. The actor runs these on its
// blocking pool, one at a time per workspace, and keeps the state they return.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/workspace_request.hpp"

namespace berth::events {
class event_store;
}
namespace berth::docker {
struct keeper_binary;
}

namespace berth::actors {

/// What the operations need; shared by all workspace actors (thread-safe parts only).
struct workspace_context {
  events::event_store& store;
  std::shared_ptr<const docker::keeper_binary> keeper;
  std::function<std::vector<std::string>(const std::string& owner_id,
                                         const std::string& template_id)>
      environment;
  std::string instance;  ///< value of the `berth.instance` label on containers and volumes
  std::function<std::int64_t()> now_ms;
  std::string node;                  ///< host name, for event metadata
  std::int64_t snapshot_every = 50;  ///< save a snapshot after this many events were folded
  bool use_snapshots = true;         ///< false: always fold from the first event
};

/// A state and the reply to send.
struct operation_result {
  workspace_state state;
  workspace_outcome outcome;
};

/// Rebuilds a workspace's state: the newest snapshot, then the events after it.
command_result<workspace_state> load_workspace(workspace_context& context,
                                               const std::string& workspace_id);
/// Rebuilds many workspaces' states with one read of the event store; one result per id, in
/// the order given.
std::vector<command_result<workspace_state>> load_workspaces(
    workspace_context& context, const std::vector<std::string>& workspace_ids);

/// Carries out one request on `state` (which load_workspace produced).
operation_result execute(workspace_context& context, workspace_state state,
                         const workspace_request& request);

}  // namespace berth::actors
