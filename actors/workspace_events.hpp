#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/encoded_event.hpp"

namespace berth::actors {

/// Resource caps of a workspace container (DESIGN.md "Workspaces").
struct workspace_limits {
  std::int64_t memory_bytes = 2LL * 1024 * 1024 * 1024;
  std::int64_t nano_cpus = 1'000'000'000;
  std::int64_t pids = 512;
  friend bool operator==(const workspace_limits&, const workspace_limits&) = default;
};

/// The events of a `workspace-<id>` stream; docs/events.md describes each.
namespace workspace_event {
struct created {
  std::string workspace_id, owner_id, name, template_id, image;
  workspace_limits limits;
  std::int64_t idle_timeout_s = 0;
  bool sudo_allowed = false;
  std::vector<std::string> env_names;
  std::int64_t created_ms = 0;
};
struct renamed {
  std::string name;
};
struct starred {};
struct unstarred {};
struct container_provisioned {
  std::string container_id, volume;
};
struct started {
  std::string reason, outcome;
  std::int64_t started_ms = 0;
};
struct stopped {
  std::string reason;
  std::int64_t stopped_ms = 0;
};
struct failed {
  std::string reason, error;
};
struct container_lost {
  std::string container_id, how;
  std::int64_t exit_code = 0;
};
struct activity {
  std::int64_t at_ms = 0;
};
struct delete_requested {
  std::string reason;
};
struct deleted {
  std::string reason;
};
}  // namespace workspace_event

/// Any workspace event.
using workspace_event_variant =
    std::variant<workspace_event::created, workspace_event::renamed, workspace_event::starred,
                 workspace_event::unstarred, workspace_event::container_provisioned,
                 workspace_event::started, workspace_event::stopped, workspace_event::failed,
                 workspace_event::container_lost, workspace_event::activity,
                 workspace_event::delete_requested, workspace_event::deleted>;

/// Encodes an event with its stable type name (`WorkspaceCreated`, ...).
encoded_event encode(const workspace_event_variant& event);
/// Decodes a stored event; nothing for unknown types or malformed data.
std::optional<workspace_event_variant> decode_workspace_event(const std::string& type,
                                                              const std::string& data);

}  // namespace berth::actors
