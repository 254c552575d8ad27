#pragma once

// Provisioning of a workspace container as DESIGN.md ("Workspaces") describes it: a named volume
// that outlives the container, a container labelled with its workspace and owner, limited and
// stripped of privileges, with the keeper uploaded before the first start.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "docker/client.hpp"

namespace berth::docker {

/// Where the keeper lives inside every workspace container.
inline constexpr std::string_view keeper_path_in_container = "/opt/berth/keeper";

/// Label naming a container's or volume's workspace id.
inline constexpr std::string_view workspace_label = "berth.workspace";
/// Label naming the user who owns a workspace.
inline constexpr std::string_view owner_label = "berth.owner";

/// The keeper executable, read once so every workspace gets the same build as this server.
struct keeper_binary {
  std::string content;
  std::int64_t modified_time = 0;  ///< Seconds since the epoch, kept in the uploaded archive.
};

/// Reads the keeper binary at `path`; fails when it is unreadable or not an ELF executable.
tl::expected<keeper_binary, std::string> load_keeper_binary(const std::string& path);

/// What a workspace container is made of; the rest follows from DESIGN.md.
struct workspace_container_spec {
  std::string workspace_id;  ///< [A-Za-z0-9][A-Za-z0-9_.-]*: part of container and volume names.
  std::string owner_id;
  std::string image;
  std::vector<std::string> env;  ///< "KEY=value"; TERM=xterm-256color is added unless set.
  resource_limits limits;
  bool sudo_allowed = false;  ///< Keeps capabilities and setuid (no `no-new-privileges`).
  /// More labels for container and volume (e.g. `berth.test=1`); cannot replace the two above.
  std::map<std::string, std::string> extra_labels;
  /// Flags appended to `keeper serve`, e.g. {"--journal-bytes", "64K"}.
  std::vector<std::string> keeper_flags;
};

/// "berth-ws-<id>": the name of a workspace's container and of its volume.
std::string workspace_resource_name(std::string_view workspace_id);

/// The labels a workspace's container and volume carry.
std::map<std::string, std::string> workspace_labels(const workspace_container_spec& spec);

/// The create request for a workspace container (pure: no daemon involved).
container_spec workspace_container_request(const workspace_container_spec& spec);

/// Creates the named volume, or returns the existing one of that name unchanged.
tl::expected<volume_info, error> ensure_volume(client& docker, std::string_view name,
                                               const std::map<std::string, std::string>& labels);

/// Copies the keeper to `/opt/berth/keeper` (root, mode 0755); works before the first start.
tl::expected<void, error> upload_keeper(client& docker, std::string_view container_id,
                                        const keeper_binary& keeper);

/// Ensures the volume, creates the container `berth-ws-<id>` and uploads the keeper; returns
/// the container id. Start it with `client::start_container`. A container whose upload failed
/// is removed again so a retry finds the name free; `conflict` when the name is in use.
tl::expected<std::string, error> create_workspace_container(client& docker,
                                                            const workspace_container_spec& spec,
                                                            const keeper_binary& keeper);

}  // namespace berth::docker
