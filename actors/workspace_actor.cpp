#include "actors/workspace_actor.hpp"

#include <unordered_map>

#include "telemetry/span.hpp"

namespace berth::actors {
namespace {

workspace_outcome failure(command_error::kind code, std::string message) {
  return tl::unexpected(command_error{code, std::move(message)});
}

}  // namespace

caf::behavior blocking_worker(caf::event_based_actor*, int) {
  return {
      [](const blocking_job& job) {
        job.run();
        return caf::ok_atom::value;
      },
  };
}

caf::actor make_blocking_pool(caf::actor_system& system, std::size_t threads) {
  return caf::actor_pool::make(
      system.dummy_execution_unit(), threads,
      [&system, number = 0]() mutable {
        return system.spawn<caf::detached>(blocking_worker, number++);
      },
      caf::actor_pool::round_robin());
}

caf::behavior workspace_actor(caf::event_based_actor* self, std::string workspace_id,
                              std::shared_ptr<workspace_context> context, workspace_actors helpers,
                              std::chrono::minutes passivate_after) {
  // The state lives in shared_ptrs captured by the handlers: the actor is their only user.
  auto state = std::make_shared<workspace_state>();
  auto load_error = std::make_shared<std::optional<command_error>>();
  const auto pool = helpers.pool;
  // Recovery first: `await` keeps every request queued until the state is rebuilt.
  self->request(helpers.loader, caf::infinite, load_workspace_request{workspace_id})
      .await(
          [=](workspace_load& loaded) {
            if (loaded) {
              *state = std::move(*loaded);
            } else {
              *load_error = loaded.error();
            }
          },
          [=](caf::error& problem) {
            *load_error = command_error{command_error::kind::internal,
                                        "recovery failed: " + self->system().render(problem)};
          });
  return {
      [=](workspace_request& request) -> caf::result<workspace_outcome> {
        if (*load_error) {
          // Quit so the next request spawns a fresh actor that tries to recover again.
          auto refused = workspace_outcome(tl::unexpected(**load_error));
          self->quit();
          return refused;
        }
        if (request.action == workspace_action::get) {
          // Reading the state needs no blocking work: answered here, without a pool hop.
          telemetry::span handling("berth.actors", "workspace get", telemetry::span_kind::internal,
                                   request.origin.trace);
          handling.set("workspace.id", workspace_id);
          if (state->status == workspace_status::none) {
            handling.set_error("no such workspace");
            return failure(command_error::kind::not_found, "no such workspace");
          }
          return workspace_outcome(workspace_reply{*state, 0});
        }
        auto promise = self->make_response_promise<workspace_outcome>();
        auto result = std::make_shared<operation_result>();
        self->request(pool, caf::infinite,
                      blocking_job{[=, snapshot = *state, work = std::move(request)] {
                        *result = execute(*context, snapshot, work);
                      }})
            .await(
                [=](caf::ok_atom) mutable {
                  *state = result->state;
                  promise.deliver(result->outcome);
                },
                [=](caf::error& problem) mutable {
                  promise.deliver(
                      failure(command_error::kind::internal,
                              "workspace work failed: " + self->system().render(problem)));
                  self->quit(problem);
                });
        return promise;
      },
      caf::after(passivate_after) >> [=] { self->quit(); },
  };
}

caf::behavior workspace_directory(caf::event_based_actor* self,
                                  std::shared_ptr<workspace_context> context,
                                  workspace_actors helpers, std::chrono::minutes passivate_after) {
  struct children {
    std::unordered_map<std::string, caf::actor> by_id;
    std::unordered_map<caf::actor_addr, std::string> id_of;
  };
  auto known = std::make_shared<children>();
  self->set_down_handler([=](caf::down_msg& down) {
    auto entry = known->id_of.find(down.source);
    if (entry == known->id_of.end()) return;
    auto child = known->by_id.find(entry->second);
    // A successor for the same id may already be registered: forget only this actor.
    if (child != known->by_id.end() && child->second.address() == down.source) {
      known->by_id.erase(child);
    }
    known->id_of.erase(entry);
  });
  // Shutdown takes the workspace actors along: they are monitored, not linked, so that one
  // failing never takes the directory down.
  self->set_exit_handler([=](caf::exit_msg& exit) {
    for (const auto& [id, child] : known->by_id)
      self->send_exit(child, exit.reason);
    self->quit(exit.reason);
  });
  return {
      [=](addressed_request& message) {
        auto& child = known->by_id[message.workspace_id];
        if (!child) {
          child = self->spawn<caf::monitored>(workspace_actor, message.workspace_id, context,
                                              helpers, passivate_after);
          known->id_of[child.address()] = message.workspace_id;
        }
        return self->delegate(child, std::move(message.request));
      },
  };
}

}  // namespace berth::actors
