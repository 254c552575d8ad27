#pragma once

#include <cstdint>
#include <string>

#include "actors/workspace_service.hpp"

namespace berth::actors {

/// What a message to a workspace actor asks for.
enum class workspace_action {
  get,             ///< reply with the state
  create,          ///< record WorkspaceCreated; then start unless `start_after_create` is false
  rename,          ///< `name`
  set_star,        ///< `starred`
  start,           ///< start (reason `user`): nothing when running
  stop,            ///< stop (reason in `reason`, default `user`)
  restart,         ///< stop, then ensure
  ensure,          ///< make the container run: start, unpause or recreate
  remove,          ///< container and volume removed; ends `deleted`
  touch,           ///< a client used it: record activity (at most once a minute)
  container_lost,  ///< the Docker events watcher saw `container_id` die (`how`, `exit_code`)
  idle_check,      ///< stop with reason `idle` when past the idle deadline
  reconcile,       ///< start-up check: orphan containers removed, vanished ones recorded
};

/// One message to a workspace actor (process-local: CAF never serialises it).
struct workspace_request {
  workspace_action action = workspace_action::get;
  workspace_command::create create;
  bool start_after_create = true;
  std::string name;
  bool starred = false;
  std::string reason = "user";
  std::string container_id, how;
  std::int64_t exit_code = 0;
  command_origin origin;
};

/// The reply to a workspace_request.
using workspace_outcome = command_result<workspace_reply>;

}  // namespace berth::actors
