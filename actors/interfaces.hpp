#pragma once

// Every message Berth's actors exchange (STYLE.md rule 6). CAF stays inside actors/*.cpp:
// include this header only there. Messages are process-local, never serialised.

#include <functional>

#include <caf/all.hpp>

#include "actors/workspace_request.hpp"

namespace berth::actors {

/// Work that may block (PostgreSQL, Docker), run by the blocking pool; it stores its result
/// where the requester's continuation reads it, and the pool replies `ok_atom` when done.
struct blocking_job {
  std::function<void()> run;
};

/// A workspace_request addressed to the workspace `workspace_id` through the directory.
struct addressed_request {
  std::string workspace_id;
  workspace_request request;
};

/// Directory → workspace actor: passivation is due when nothing arrived for a while.
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;

}  // namespace berth::actors

/// blocking_job → pool worker, replied to with ok_atom once `run` returned.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::blocking_job)
/// workspace_request → workspace actor, replied to with a workspace_outcome.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::workspace_request)
/// addressed_request → directory, which forwards the request to the workspace's actor.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::addressed_request)
/// workspace_outcome: the reply to a workspace_request.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::workspace_outcome)
