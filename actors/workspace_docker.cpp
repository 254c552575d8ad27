#include "actors/workspace_docker.hpp"

#include <optional>

#include "docker/client.hpp"
#include "docker/workspace_container.hpp"

namespace berth::actors {
namespace {

thread_local std::optional<docker::client> this_thread_client;

/// Stopping gives the shell this long to exit before Docker kills it.
constexpr std::chrono::seconds stop_grace{10};

template <class T>
tl::expected<T, docker::error> failed(const docker::error& failure) {
  forget_docker_client_on(failure);
  return tl::unexpected(failure);
}

docker::workspace_container_spec container_spec_of(workspace_context& context,
                                                   const workspace_state& state) {
  docker::workspace_container_spec spec;
  spec.workspace_id = state.id;
  spec.owner_id = state.owner_id;
  spec.image = state.image;
  if (context.environment) spec.env = context.environment(state.owner_id, state.template_id);
  spec.limits = {state.limits.memory_bytes, state.limits.nano_cpus, state.limits.pids};
  spec.sudo_allowed = state.sudo_allowed;
  spec.extra_labels = {{std::string(instance_label), context.instance}};
  return spec;
}

/// A fresh container with the workspace's volume, started. Any container still holding the
/// name (a half-made one, or a dead one) is removed first.
tl::expected<ensure_outcome, docker::error> provision(workspace_context& context,
                                                      const workspace_state& state,
                                                      std::string outcome) {
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  const auto name = docker::workspace_resource_name(state.id);
  if (auto removed = (*docker)->remove_container(name, {.force = true});
      !removed && removed.error().code != docker::error_code::not_found) {
    return failed<ensure_outcome>(removed.error());
  }
  auto created = docker::create_workspace_container(**docker, container_spec_of(context, state),
                                                    *context.keeper);
  if (!created) return failed<ensure_outcome>(created.error());
  if (auto started = (*docker)->start_container(*created); !started) {
    return failed<ensure_outcome>(started.error());
  }
  return ensure_outcome{std::move(outcome), *created, name};
}

}  // namespace

tl::expected<docker::client*, docker::error> docker_for_this_thread() {
  if (!this_thread_client) {
    auto connected = docker::client::connect();
    if (!connected) return tl::unexpected(connected.error());
    this_thread_client.emplace(std::move(*connected));
  }
  return &*this_thread_client;
}

void forget_docker_client_on(const docker::error& failure) {
  using code = docker::error_code;
  if (failure.code == code::daemon_unavailable || failure.code == code::timeout ||
      failure.code == code::protocol) {
    this_thread_client.reset();
  }
}

tl::expected<ensure_outcome, docker::error> ensure_container(workspace_context& context,
                                                             const workspace_state& state) {
  if (state.container_id.empty()) return provision(context, state, "started");
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  auto info = (*docker)->inspect_container(state.container_id);
  if (!info) {
    if (info.error().code == docker::error_code::not_found) {
      return provision(context, state, "recreated");
    }
    return failed<ensure_outcome>(info.error());
  }
  const auto& current = info->state;
  if (current.dead || current.status == "removing") return provision(context, state, "recreated");
  if (current.paused) {
    if (auto resumed = (*docker)->unpause_container(state.container_id); !resumed) {
      return failed<ensure_outcome>(resumed.error());
    }
    return ensure_outcome{"unpaused", {}, {}};
  }
  if (current.running) return ensure_outcome{"already_running", {}, {}};
  if (auto started = (*docker)->start_container(state.container_id); !started) {
    return failed<ensure_outcome>(started.error());
  }
  return ensure_outcome{"started", {}, {}};
}

tl::expected<void, docker::error> stop_container(const workspace_state& state) {
  if (state.container_id.empty()) return {};
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  auto stopped = (*docker)->stop_container(state.container_id, stop_grace);
  if (!stopped && stopped.error().code != docker::error_code::not_found) {
    return failed<void>(stopped.error());
  }
  return {};
}

tl::expected<std::vector<std::string>, docker::error> labelled_containers(
    const workspace_context& context, const std::string& workspace_id) {
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  auto found =
      (*docker)->list_containers({std::string(docker::workspace_label) + "=" + workspace_id,
                                  std::string(instance_label) + "=" + context.instance});
  if (!found) return failed<std::vector<std::string>>(found.error());
  std::vector<std::string> ids;
  for (const auto& container : *found)
    ids.push_back(container.id);
  return ids;
}

tl::expected<void, docker::error> remove_container(const std::string& container_id) {
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  auto removed = (*docker)->remove_container(container_id, {.force = true});
  if (!removed && removed.error().code != docker::error_code::not_found) {
    return failed<void>(removed.error());
  }
  return {};
}

tl::expected<void, docker::error> remove_container_and_volume(const workspace_context& context,
                                                              const std::string& workspace_id) {
  auto containers = labelled_containers(context, workspace_id);
  if (!containers) return tl::unexpected(containers.error());
  for (const auto& id : *containers) {
    if (auto removed = remove_container(id); !removed) return removed;
  }
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  auto removed =
      (*docker)->remove_volume(docker::workspace_resource_name(workspace_id), /*force=*/true);
  if (!removed && removed.error().code != docker::error_code::not_found) {
    return failed<void>(removed.error());
  }
  return {};
}

tl::expected<bool, docker::error> container_running(const workspace_state& state) {
  if (state.container_id.empty()) return false;
  auto docker = docker_for_this_thread();
  if (!docker) return tl::unexpected(docker.error());
  auto info = (*docker)->inspect_container(state.container_id);
  if (!info) {
    if (info.error().code == docker::error_code::not_found) return false;
    return failed<bool>(info.error());
  }
  return info->state.running && !info->state.paused;
}

}  // namespace berth::actors
