#pragma once

// The workspace actor and the directory that owns them. CAF types appear here: include this
// header only from actors/*.cpp.

#include <chrono>
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/workspace_loader.hpp"
#include "actors/workspace_operations.hpp"

namespace berth::actors {

/// The actors every workspace actor works with.
struct workspace_actors {
  caf::actor pool;    ///< runs blocking work (PostgreSQL, Docker)
  caf::actor loader;  ///< a workspace_loader: rebuilds states, many per read
};

/// One actor per workspace: rebuilds the state from snapshot + events before it serves, then
/// handles one workspace_request at a time (later ones wait in the mailbox while blocking
/// work runs on `pool`), and quits after `passivate_after` without messages.
caf::behavior workspace_actor(caf::event_based_actor* self, std::string workspace_id,
                              std::shared_ptr<workspace_context> context, workspace_actors helpers,
                              std::chrono::minutes passivate_after);

/// Maps workspace ids to their actors: spawns on demand, monitors, forgets them when they
/// quit. Handles addressed_request by delegating the request (the reply goes to the sender).
caf::behavior workspace_directory(caf::event_based_actor* self,
                                  std::shared_ptr<workspace_context> context,
                                  workspace_actors helpers, std::chrono::minutes passivate_after);

/// A pool worker: runs blocking_jobs one after another on its own thread. `number` only
/// names it: CAF 0.17 dereferences a null argument tuple when an actor takes no arguments,
/// which UBSan reports.
caf::behavior blocking_worker(caf::event_based_actor* self, int number);

/// A round-robin pool of `threads` detached blocking_workers, each on a thread of its own.
caf::actor make_blocking_pool(caf::actor_system& system, std::size_t threads);

}  // namespace berth::actors
