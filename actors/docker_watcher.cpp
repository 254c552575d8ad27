#include "actors/docker_watcher.hpp"

#include <condition_variable>
#include <mutex>
#include <set>

#include "actors/workspace_docker.hpp"
#include "docker/client.hpp"
#include "docker/workspace_container.hpp"
#include "telemetry/log.hpp"

namespace berth::actors {
namespace {

using telemetry::level;

/// `docker events` names a death `die` (also after `oom`) and a removal `destroy`.
std::string how_of(const docker::event& event) {
  if (event.action == "oom") return "oom";
  if (event.action == "destroy") return "removed";
  return "died";
}

std::int64_t exit_code_of(const docker::event& event) {
  auto found = event.attributes.find("exitCode");
  if (found == event.attributes.end()) return 0;
  try {
    return std::stoll(found->second);
  } catch (const std::exception&) {
    return 0;  // Docker sends digits; anything else is not worth failing over
  }
}

void sleep_for(std::stop_token stop, std::chrono::milliseconds duration) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, duration, [] { return false; });
}

}  // namespace

docker_watcher::docker_watcher(std::string instance, std::vector<std::string> candidates, sink tell)
    : instance_(std::move(instance)), candidates_(std::move(candidates)), tell_(std::move(tell)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

docker_watcher::~docker_watcher() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void docker_watcher::reconcile() {
  std::set<std::string> workspaces(candidates_.begin(), candidates_.end());
  auto docker = docker_for_this_thread();
  if (docker) {
    auto containers = (*docker)->list_containers({std::string(instance_label) + "=" + instance_});
    if (containers) {
      for (const auto& container : *containers) {
        auto label = container.labels.find(std::string(docker::workspace_label));
        if (label != container.labels.end()) workspaces.insert(label->second);
      }
    }
  }
  for (const auto& id : workspaces) {
    workspace_request request;
    request.action = workspace_action::reconcile;
    request.reason = "recovery";
    tell_(id, request);
  }
  telemetry::log(level::info, "actors.reconcile", "reconciliation requested",
                 {{"workspaces", static_cast<std::int64_t>(workspaces.size())}});
}

void docker_watcher::run(std::stop_token stop) {
  // Events from this moment on are replayed after a reconnect, so none falls in a gap.
  auto since = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  reconcile();
  auto backoff = std::chrono::milliseconds(250);
  while (!stop.stop_requested()) {
    auto docker = docker::client::connect();
    if (!docker) {
      telemetry::log(level::warn, "actors.docker_watcher", "Docker unavailable",
                     {{"error", std::string_view(docker.error().message)}});
      sleep_for(stop, backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
      continue;
    }
    backoff = std::chrono::milliseconds(250);
    docker::event_filter filter;
    filter.types = {"container"};
    filter.actions = {"die", "oom", "destroy"};
    filter.labels = {std::string(instance_label) + "=" + instance_};
    filter.since = std::to_string(since);
    auto watched = docker->watch_events(
        filter,
        [&](const docker::event& event) {
          since = std::max<std::int64_t>(since, event.time_nano / 1'000'000'000);
          auto label = event.attributes.find(std::string(docker::workspace_label));
          if (label == event.attributes.end()) return true;
          workspace_request request;
          request.action = workspace_action::container_lost;
          request.container_id = event.actor_id;
          request.how = how_of(event);
          request.exit_code = exit_code_of(event);
          tell_(label->second, request);
          return true;
        },
        stop);
    if (!watched && !stop.stop_requested()) {
      telemetry::log(level::warn, "actors.docker_watcher", "event stream ended",
                     {{"error", std::string_view(docker::describe(watched.error()))}});
      sleep_for(stop, backoff);
    }
  }
}

}  // namespace berth::actors
