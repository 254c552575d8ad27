#pragma once

// Docker work for a workspace (DESIGN.md "Workspaces"): ensure semantics, stop, delete,
// and the look-ups reconciliation needs. Blocking; one Docker client per calling thread.

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "actors/workspace_operations.hpp"
#include "docker/error.hpp"

namespace berth::docker {
class client;
}

namespace berth::actors {

/// This thread's Docker client, connected on first use and again after a daemon failure.
tl::expected<docker::client*, docker::error> docker_for_this_thread();
/// Drops this thread's client after a failure that may have broken its connection.
void forget_docker_client_on(const docker::error& failure);

/// What ensure did: `started`, `unpaused`, `recreated`, `already_running` (or `provisioned`
/// for a first start), and the container id when a new container was made.
struct ensure_outcome {
  std::string outcome;
  std::string new_container_id;
  std::string volume;
};

/// running → nothing; created/exited → start; paused → unpause; dead/missing → recreate with
/// the same volume. Never touches the volume's contents.
tl::expected<ensure_outcome, docker::error> ensure_container(workspace_context& context,
                                                             const workspace_state& state);
/// Stops the container (10 s grace); a missing container counts as stopped.
tl::expected<void, docker::error> stop_container(const workspace_state& state);
/// Label naming the Berth instance that owns a container.
inline constexpr std::string_view instance_label = "berth.instance";

/// Removes every container labelled with the workspace, then its volume.
tl::expected<void, docker::error> remove_container_and_volume(const workspace_context& context,
                                                              const std::string& workspace_id);
/// Whether the workspace's current container runs (false when it is missing).
tl::expected<bool, docker::error> container_running(const workspace_state& state);
/// Ids of this instance's containers labelled with the workspace.
tl::expected<std::vector<std::string>, docker::error> labelled_containers(
    const workspace_context& context, const std::string& workspace_id);
/// Removes one container by id (forced); a missing one counts as removed.
tl::expected<void, docker::error> remove_container(const std::string& container_id);

}  // namespace berth::actors
