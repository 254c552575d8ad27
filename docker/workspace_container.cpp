#include "docker/workspace_container.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>

#include "docker/tar_writer.hpp"

namespace berth::docker {
namespace {

/// Docker's own rule for container names, minus the length (ids are short).
bool is_valid_workspace_id(std::string_view id) {
  const auto allowed = [](char c, bool first) {
    const bool alphanumeric =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alphanumeric || (!first && (c == '_' || c == '.' || c == '-'));
  };
  if (id.empty() || id.size() > 128 || !allowed(id.front(), true)) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return allowed(c, false); });
}

/// Serves `head`, then `content`, then `tail` as one request body without joining them.
body_source concatenated_source(std::string_view head, std::string_view content,
                                std::string_view tail) {
  return [parts = std::array<std::string_view, 3>{head, content, tail},
          part = std::size_t{0}](std::span<char> buffer) mutable -> std::optional<std::size_t> {
    std::size_t written = 0;
    while (written < buffer.size() && part < parts.size()) {
      auto& current = parts[part];
      const auto count = std::min(current.size(), buffer.size() - written);
      std::memcpy(buffer.data() + written, current.data(), count);
      written += count;
      current.remove_prefix(count);
      if (current.empty()) ++part;
    }
    return written;
  };
}

}  // namespace

tl::expected<keeper_binary, std::string> load_keeper_binary(const std::string& path) {
  std::ifstream file{path, std::ios::binary};
  if (!file) return tl::unexpected("cannot read the keeper binary " + path);
  keeper_binary keeper;
  keeper.content.assign(std::istreambuf_iterator<char>{file}, std::istreambuf_iterator<char>{});
  if (file.bad()) return tl::unexpected("error while reading the keeper binary " + path);
  // A wrong path (a script, the source folder's README) must fail here, not in every container.
  if (!keeper.content.starts_with("\177ELF")) {
    return tl::unexpected(path + " is not an ELF executable (build the `keeper` target)");
  }
  struct stat status {};
  if (::stat(path.c_str(), &status) == 0) keeper.modified_time = status.st_mtime;
  return keeper;
}

std::string workspace_resource_name(std::string_view workspace_id) {
  return "berth-ws-" + std::string{workspace_id};
}

std::map<std::string, std::string> workspace_labels(const workspace_container_spec& spec) {
  auto labels = spec.extra_labels;
  labels[std::string{workspace_label}] = spec.workspace_id;
  labels[std::string{owner_label}] = spec.owner_id;
  return labels;
}

container_spec workspace_container_request(const workspace_container_spec& spec) {
  container_spec request;
  request.name = workspace_resource_name(spec.workspace_id);
  request.image = spec.image;
  request.cmd = {std::string{keeper_path_in_container}, "serve"};
  request.cmd.insert(request.cmd.end(), spec.keeper_flags.begin(), spec.keeper_flags.end());
  request.env = spec.env;
  const bool has_term = std::any_of(spec.env.begin(), spec.env.end(), [](const std::string& entry) {
    return entry.starts_with("TERM=");
  });
  if (!has_term) request.env.push_back("TERM=xterm-256color");
  // The image's `developer` user; numeric so images without that name work too.
  request.user = "1000:1000";
  request.working_dir = "/workspace";
  request.labels = workspace_labels(spec);
  request.limits = spec.limits;
  // Sudo needs setuid and capabilities; every other workspace runs without either.
  request.no_new_privileges = !spec.sudo_allowed;
  if (!spec.sudo_allowed) request.cap_drop = {"ALL"};
  // docker-init as PID 1 forwards `docker stop`'s SIGTERM to the keeper and reaps orphans.
  request.init = true;
  request.mounts = {{"volume", request.name, "/workspace", false}};
  // The keeper hangs up its sessions on SIGTERM at once; 10 s is ample before SIGKILL.
  request.stop_timeout_seconds = 10;
  return request;
}

tl::expected<volume_info, error> ensure_volume(client& docker, std::string_view name,
                                               const std::map<std::string, std::string>& labels) {
  // The daemon answers an existing name with that volume as it is, so this is idempotent.
  return docker.create_volume({std::string{name}, "local", labels});
}

tl::expected<void, error> upload_keeper(client& docker, std::string_view container_id,
                                        const keeper_binary& keeper) {
  auto archive = frame_single_file(keeper_path_in_container.substr(1), 0755, keeper.content.size(),
                                   0, 0, keeper.modified_time);
  if (!archive) return tl::unexpected(error{error_code::bad_request, 0, archive.error()});
  return docker.upload_archive(container_id, "/",
                               concatenated_source(archive->head, keeper.content, archive->tail));
}

tl::expected<std::string, error> create_workspace_container(client& docker,
                                                            const workspace_container_spec& spec,
                                                            const keeper_binary& keeper) {
  if (!is_valid_workspace_id(spec.workspace_id)) {
    return tl::unexpected(
        error{error_code::bad_request, 0,
              "invalid workspace id for a container name: '" + spec.workspace_id + "'"});
  }
  const auto request = workspace_container_request(spec);
  auto volume = ensure_volume(docker, request.name, request.labels);
  if (!volume) return tl::unexpected(volume.error());
  auto id = docker.create_container(request);
  if (!id) return tl::unexpected(id.error());
  if (auto uploaded = upload_keeper(docker, *id, keeper); !uploaded) {
    // Without its keeper the container is useless; free the name for the caller's retry.
    (void)docker.remove_container(*id, {.force = true, .volumes = false});
    return tl::unexpected(uploaded.error());
  }
  return *id;
}

}  // namespace berth::docker
