#pragma once

// Keeps workspace actors told about Docker: at start-up it asks every workspace that may
// disagree with Docker to reconcile, then follows the daemon's event stream and reports
// each death of a workspace container. Runs on its own thread; reconnects with back-off.

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "actors/workspace_request.hpp"

namespace berth::actors {

class docker_watcher {
 public:
  /// Sends a request to a workspace's actor.
  using sink = std::function<void(const std::string& workspace_id, workspace_request request)>;

  /// Starts watching; `candidates` are workspaces the read model thinks need a look.
  docker_watcher(std::string instance, std::vector<std::string> candidates, sink tell);
  /// Stops the event stream and joins the thread.
  ~docker_watcher();
  docker_watcher(const docker_watcher&) = delete;
  docker_watcher& operator=(const docker_watcher&) = delete;

 private:
  void run(std::stop_token stop);
  void reconcile();

  std::string instance_;
  std::vector<std::string> candidates_;
  sink tell_;
  std::jthread thread_;
};

}  // namespace berth::actors
