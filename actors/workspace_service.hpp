#pragma once

// What the HTTP layer asks of workspaces, without seeing CAF: each command goes to the
// workspace's actor (serialised per workspace, decided by decide/evolve, Docker work off the
// scheduler) and the call blocks its caller — an HTTP worker thread — until the reply.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "actors/workspace_aggregate.hpp"
#include "telemetry/trace_context.hpp"

namespace caf {
class actor_system;
class actor;
}  // namespace caf
namespace berth::events {
class event_store;
}
namespace berth::docker {
class client;
}

namespace berth::actors {

/// Why a workspace command failed; the HTTP layer maps each kind to one status.
struct command_error {
  enum class kind {
    invalid,                 ///< 422
    not_found,               ///< 404
    conflict,                ///< 409: not in a state that allows it, or a concurrent change won
    quota,                   ///< 409 `quota_exceeded`
    dependency_unavailable,  ///< 503: PostgreSQL or Docker unreachable
    internal,                ///< 500
  } code = kind::internal;
  std::string message;
};
template <class T>
using command_result = tl::expected<T, command_error>;

/// Who sent a command, recorded in its events' metadata.
struct command_origin {
  std::string actor_id = "system";
  std::string remote_address;
  std::string trace_id;
  /// The caller's span: the actor's command span becomes its child.
  telemetry::trace_context trace = {};
};

/// A workspace as a command left it, and the feed position of its last event (callers wait
/// for the read models to reach it, so a list right after a change shows the change).
struct workspace_reply {
  workspace_state state;
  std::int64_t global_position = 0;
};

/// A row of the workspace list (the `rm_workspaces` read model).
struct workspace_summary {
  std::string id, owner_id, name, state, state_reason, template_id, image, last_error;
  bool starred = false;
  workspace_limits limits;
  std::int64_t idle_timeout_s = 0;
  std::int64_t created_ms = 0, last_activity_ms = 0;
};

/// The Docker side of a workspace: created from config at start-up.
struct workspace_runtime_options {
  std::string database_url;
  std::string keeper_binary;  ///< path of the keeper executable copied into containers
  /// `NAME=value` strings for a workspace's container: its template's configuration (never
  /// secrets: those reach shells through the keeper). Called off the scheduler; may block.
  std::function<std::vector<std::string>(const std::string& owner_id,
                                         const std::string& template_id)>
      environment;
  /// Names this server's containers (label `berth.instance`): reconciliation removes only
  /// orphans of its own instance, so servers sharing a Docker daemon leave each other alone.
  std::string instance = "default";
  int scheduler_threads = 2;
  int blocking_threads = 8;  ///< PostgreSQL and Docker calls; each may take seconds
  std::chrono::seconds idle_sweep_interval{30};
  std::chrono::minutes passivate_after{10};
  /// Recovery reads the newest snapshot first, and writes one after folding this many events.
  bool use_snapshots = true;
  std::int64_t snapshot_every = 50;
};

/// The workspace runtime: CAF actor system, directory, reconciler and Docker events watcher.
class workspace_service {
 public:
  workspace_service(events::event_store& store, workspace_runtime_options options);
  ~workspace_service();
  workspace_service(const workspace_service&) = delete;
  workspace_service& operator=(const workspace_service&) = delete;

  /// Removes orphan containers, marks workspaces whose container vanished, and starts
  /// watching Docker events. Returns what reconciliation found, or why it could not run.
  command_result<std::string> start_background_work();

  /// Records the workspace and, when `start` is set, provisions and starts its container
  /// (without: it is recorded `stopped` and gets a container on its first start).
  command_result<workspace_reply> create(workspace_command::create command, bool start,
                                         const command_origin& origin);
  command_result<workspace_reply> get(const std::string& workspace_id);
  command_result<workspace_reply> rename(const std::string& workspace_id, std::string name,
                                         const command_origin& origin);
  command_result<workspace_reply> set_star(const std::string& workspace_id, bool starred,
                                           const command_origin& origin);
  command_result<workspace_reply> start(const std::string& workspace_id,
                                        const command_origin& origin);
  command_result<workspace_reply> stop(const std::string& workspace_id,
                                       const command_origin& origin);
  command_result<workspace_reply> restart(const std::string& workspace_id,
                                          const command_origin& origin);
  /// Makes sure the container runs: start, unpause or recreate with the same volume.
  command_result<workspace_reply> ensure(const std::string& workspace_id,
                                         const command_origin& origin);
  /// Removes container and volume; the workspace ends `deleted`.
  command_result<workspace_reply> remove(const std::string& workspace_id,
                                         const command_origin& origin);
  /// Records that a client used the workspace (at most once a minute reaches the log).
  void touch(const std::string& workspace_id);

  /// Workspaces of `owner_id` (all when empty) that are not deleted: starred first, by name.
  command_result<std::vector<workspace_summary>> list(const std::string& owner_id);
  /// Counts of an owner's live and running workspaces (for quotas).
  struct usage {
    std::int64_t workspaces = 0, running = 0;
  };
  command_result<usage> usage_of(const std::string& owner_id);
  /// Runs `work` while no other call for the same `owner_id` runs, on any node of the
  /// database (a PostgreSQL advisory lock held for a transaction): a quota check and the
  /// change it allows act as one, so parallel requests cannot all pass it. `work` should wait
  /// for the read models to show its change before it returns, since the next check counts
  /// from them. `dependency_unavailable` (and `work` not run) when the lock cannot be had.
  command_result<void> with_owner_lock(const std::string& owner_id,
                                       const std::function<void()>& work);

  /// Streams `/workspace` of a workspace's container as a tar.gz into `write` (returns false
  /// when the receiver is gone). The container must exist.
  command_result<void> export_workspace(const std::string& workspace_id,
                                        const std::function<bool(std::string_view)>& write);

  /// Waits (bounded) until the read models have applied `global_position`.
  void wait_for_read_models(std::int64_t global_position);
  /// Sets how read-model progress is awaited (serve wires the workspace projection in).
  void set_read_model_waiter(std::function<void(std::int64_t)> waiter);

  /// The actor system and the pool for blocking work, shared with the session runtime
  /// (for actors/*.cpp; callers include CAF themselves).
  caf::actor_system& actor_system();
  const caf::actor& blocking_pool() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::actors
