// The session directory: one session actor per session id, spawned on demand (recovering its
// state from the stream) or to open a new session; it counts open sessions for the limits.

#include <unordered_map>

#include "actors/session_actor_impl.hpp"

namespace berth::actors {

using session_detail::closed_atom;
using session_detail::known_atom;
using session_detail::session_actor;

caf::behavior session_directory(caf::event_based_actor* self,
                                std::shared_ptr<session_context> context) {
  struct entry {
    caf::actor actor;
    std::string workspace_id, user_id;
    bool open = true;
    bool recovering = false;  ///< rebuilding from its stream; it says `known` when done
  };
  struct children {
    std::unordered_map<std::string, entry> by_id;
    std::unordered_map<caf::actor_addr, std::string> id_of;
  };
  auto known = std::make_shared<children>();
  self->set_down_handler([=](caf::down_msg& down) {
    const auto found = known->id_of.find(down.source);
    if (found == known->id_of.end()) return;
    const auto child = known->by_id.find(found->second);
    // A successor for the same id may already be registered: forget only this actor.
    if (child != known->by_id.end() && child->second.actor.address() == down.source) {
      known->by_id.erase(child);
    }
    known->id_of.erase(found);
  });
  self->set_exit_handler([=](caf::exit_msg& exit) {
    for (const auto& [id, child] : known->by_id)
      self->send_exit(child.actor, exit.reason);
    self->quit(exit.reason);
  });
  auto spawn = [=](const std::string& id, std::optional<open_session> opening) -> entry& {
    const bool recovers = !opening.has_value();
    auto actor = self->spawn<session_actor, caf::monitored>(context, id, std::move(opening),
                                                            caf::actor_cast<caf::actor>(self));
    known->id_of[actor.address()] = id;
    auto& stored = known->by_id[id];
    stored = entry{actor, {}, {}, true, recovers};
    return stored;
  };
  return {
      [=](open_request_for_directory& request) {
        auto promise = self->make_response_promise<session_outcome>();
        const auto& open = request.open;
        int in_workspace = 0, of_user = 0;
        for (const auto& [id, child] : known->by_id) {
          if (!child.open) continue;
          in_workspace += child.workspace_id == open.workspace_id;
          of_user += child.user_id == open.caller.user_id;
        }
        if (in_workspace >= context->options.max_per_workspace) {
          promise.deliver(session_outcome(tl::unexpected(
              command_error{command_error::kind::quota,
                            "already " + std::to_string(in_workspace) +
                                " open sessions in this workspace, the most allowed"})));
          return promise;
        }
        if (of_user >= context->options.max_per_user) {
          promise.deliver(session_outcome(tl::unexpected(command_error{
              command_error::kind::quota,
              "already " + std::to_string(of_user) + " open sessions, the most allowed"})));
          return promise;
        }
        auto& child = spawn(open.session_id, open);
        child.workspace_id = open.workspace_id;
        child.user_id = open.caller.user_id;
        return promise.delegate(child.actor, open);
      },
      [=](addressed_session& addressed) {
        auto found = known->by_id.find(addressed.session_id);
        auto& child =
            found != known->by_id.end() ? found->second : spawn(addressed.session_id, std::nullopt);
        // The attach waits in the actor's mailbox until its recovery is done (a moment, or
        // longer when many sessions recover after a restart): say so now, not after.
        if (auto* attach = std::get_if<attach_client>(&addressed.request);
            attach && child.recovering) {
          attach->client->send(terminal::status_message{"recovering", 0, 0, 0});
        }
        return self->delegate(child.actor, std::move(addressed.request));
      },
      [=](recover_sessions& recover) {
        for (const auto& id : recover.session_ids) {
          if (!known->by_id.contains(id)) spawn(id, std::nullopt);
        }
      },
      [=](known_atom, const std::string& id, const std::string& workspace_id,
          const std::string& user_id, bool open) {
        if (auto found = known->by_id.find(id); found != known->by_id.end()) {
          found->second.workspace_id = workspace_id;
          found->second.user_id = user_id;
          found->second.open = open;
          found->second.recovering = false;
        }
      },
      [=](closed_atom, const std::string& id) {
        if (auto found = known->by_id.find(id); found != known->by_id.end()) {
          found->second.open = false;
        }
      },
  };
}

}  // namespace berth::actors
