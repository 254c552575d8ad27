#pragma once

// Rebuilds workspace states for the workspace actors, many per read. The loader runs on a
// thread of its own (detached: reading blocks), and every request that arrives while it reads
// waits in its mailbox and goes into the next read together with the others. A lone request
// is read at once (a batch of one); a burst — the workspaces of a restarted server being asked
// for — costs one event-store query per batch instead of one per workspace. CAF types appear
// here: include this header only from actors/*.cpp.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/workspace_operations.hpp"

namespace berth::actors {

/// Workspace actor → loader: rebuild this workspace's state (replied to with a workspace_load).
struct load_workspace_request {
  std::string workspace_id;
};
/// The loader's reply: the state folded from snapshot and events, or why it could not be.
using workspace_load = command_result<workspace_state>;

class workspace_loader : public caf::event_based_actor {
 public:
  /// Reads at most `max_batch` workspaces per event-store query.
  workspace_loader(caf::actor_config& config, std::shared_ptr<workspace_context> context,
                   std::size_t max_batch = 128);

  caf::behavior make_behavior() override;

 private:
  struct waiting_load {
    std::string workspace_id;
    caf::typed_response_promise<workspace_load> promise;
  };
  /// Reads every waiting request, `max_batch_` at a time, and answers each.
  void load_waiting();

  std::shared_ptr<workspace_context> context_;
  const std::size_t max_batch_;
  std::vector<waiting_load> waiting_;
  bool flush_queued_ = false;  ///< a flush message is in the mailbox behind the requests
};

}  // namespace berth::actors

/// load_workspace_request → workspace_loader, replied to with a workspace_load.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::load_workspace_request)
/// workspace_load: the loader's reply.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::workspace_load)
