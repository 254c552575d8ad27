#include "actors/workspace_loader.hpp"

#include <algorithm>

#include "telemetry/span.hpp"

namespace berth::actors {
namespace {

/// Loader → itself: read what waits. Sent behind the requests already in the mailbox, so they
/// are all collected before the read starts.
using flush_atom = caf::atom_constant<caf::atom("flush")>;

}  // namespace

workspace_loader::workspace_loader(caf::actor_config& config,
                                   std::shared_ptr<workspace_context> context,
                                   std::size_t max_batch)
    : caf::event_based_actor(config), context_(std::move(context)), max_batch_(max_batch) {}

caf::behavior workspace_loader::make_behavior() {
  return {
      [this](load_workspace_request& request) -> caf::result<workspace_load> {
        auto promise = make_response_promise<workspace_load>();
        waiting_.push_back({std::move(request.workspace_id), promise});
        if (!flush_queued_) {
          flush_queued_ = true;
          send(this, flush_atom::value);
        }
        return promise;
      },
      [this](flush_atom) {
        flush_queued_ = false;
        load_waiting();
      },
  };
}

void workspace_loader::load_waiting() {
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (std::size_t first = 0; first < waiting.size(); first += max_batch_) {
    const auto last = std::min(waiting.size(), first + max_batch_);
    telemetry::span recovering("berth.actors", "workspace recover");
    recovering.set("workspaces", last - first);
    std::vector<std::string> ids;
    ids.reserve(last - first);
    for (auto i = first; i < last; ++i)
      ids.push_back(waiting[i].workspace_id);
    auto loaded = load_workspaces(*context_, ids);
    // load_workspaces answers once per id, in order.
    for (auto i = first; i < last; ++i)
      waiting[i].promise.deliver(std::move(loaded[i - first]));
  }
}

}  // namespace berth::actors
