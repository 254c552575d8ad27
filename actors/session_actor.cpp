// The session actor: behaviour, opening, recovery, requests and closing (see
// session_actor_impl.hpp for how its files divide the work).

#include <random>

#include "actors/session_actor_impl.hpp"
#include "events/event_store.hpp"
#include "telemetry/log.hpp"

namespace berth::actors::session_detail {
namespace {

session_outcome failure(command_error::kind code, std::string message) {
  return tl::unexpected(command_error{code, std::move(message)});
}

double random_unit() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void log_warn(std::string_view message, const std::string& session_id, std::string_view detail) {
  telemetry::log(telemetry::level::warn, "actors.session", message,
                 {{"session", std::string_view(session_id)}, {"detail", detail}});
}

session_actor::session_actor(caf::actor_config& config, std::shared_ptr<session_context> context,
                             std::string session_id, std::optional<open_session> opening,
                             caf::actor directory)
    : caf::event_based_actor(config),
      context_(std::move(context)),
      opening_(std::move(opening)),
      directory_(std::move(directory)),
      backoff_(random_unit),
      window_(context_->options.memory_window) {
  state_.id = std::move(session_id);
}

caf::behavior session_actor::make_behavior() {
  if (!opening_) start_recovery();
  return {
      [this](open_session&) -> caf::result<session_outcome> {
        start_open();
        return open_promise_;
      },
      [this](session_request& request) -> caf::result<session_outcome> {
        return handle(std::move(request));
      },
      [this](keeper_delivery& delivery) {
        if (delivery.link != link_generation_) return;
        if (const auto* output = std::get_if<keeper::output_event>(&delivery.message)) {
          inbox_->bytes -= static_cast<std::int64_t>(output->data.size());
        }
        on_keeper(std::move(delivery.message));
        pace_keeper_output();
      },
      [this](keeper_link_ended& ended) {
        if (ended.link == link_generation_) on_link_ended(ended.failure);
      },
      [this](flush_atom) {
        flush_timer_armed_ = false;
        flush();
      },
      [this](grace_atom, std::uint64_t generation) {
        if (generation == grace_generation_ && clients_.empty() && !finishing()) {
          begin_close({"grace_expired", std::nullopt, false}, {});
        }
      },
      [this](relink_atom) { relink(); },
      [this](drain_atom) {
        drain_poll_armed_ = false;
        update_input_hold();
      },
      [this](quit_atom) {
        // A rename of a closed session may still be on its way to the log.
        if (recorder_ && !recorder_->idle()) {
          return delayed_send(this, retry_after_failure, quit_atom::value);
        }
        quit();
      },
      [this](ahead_atom, const std::string& client_id) { on_ahead_timeout(client_id); },
      [this](finish_atom, std::uint64_t attempt) {
        // The keeper did not confirm a close in time: record it anyway.
        if (attempt == close_attempt_ && phase_ == session_phase::closing) finish(pending_close_);
      },
  };
}

void session_actor::on_exit() {
  link_.reset();
  // The session lives on (or has ended and said so): clients reconnect to the next actor.
  for (auto& [id, slot] : clients_)
    slot.client->end(terminal::farewell::server_stopping, "session actor stopped");
  clients_.clear();
  count_open(false);
}

// --- Opening and recovery -------------------------------------------------------------------

void session_actor::start_open() {
  const auto& open = *opening_;
  state_.workspace_id = open.workspace_id;
  state_.user_id = open.caller.user_id;
  state_.keeper_session = state_.id;
  state_.cols = open.cols;
  state_.rows = open.rows;
  state_.opened_ms = now_ms();
  screen_->resize(open.rows, open.cols);
  open_promise_ = make_response_promise<session_outcome>();
  auto result = std::make_shared<opened_link>();
  auto appended = std::make_shared<command_result<std::int64_t>>(0);
  const auto handle = caf::actor_cast<caf::actor>(this);
  const auto generation = ++link_generation_;
  auto inbox = inbox_ = std::make_shared<keeper_inbox>();
  link_phase_ = link_phase::opening;
  auto opened_event = session_opened_event(state_, origin_of(open.caller));
  request(context_->pool, caf::infinite,
          blocking_job{[=, context = context_, state = state_]() mutable {
            events::append_request append{session_stream(state.id),
                                          "session",
                                          events::expected_version::no_stream,
                                          {std::move(opened_event)}};
            auto stored = context->store.append(std::move(append));
            if (!stored) {
              *appended = tl::unexpected(
                  command_error{command_error::kind::dependency_unavailable,
                                "cannot record the session: " + stored.error().message});
              return;
            }
            *appended = stored->last_version;
            *result = open_keeper_link(*context, state.workspace_id, state.keeper_session, handle,
                                       generation, inbox);
            if (!result->link) return;
            // The shell runs in the workspace owner's container, so it gets the owner's
            // secrets, whoever opens it: an admin's never reach a member's container.
            std::vector<std::string> environment;
            if (context->options.environment) {
              auto workspace = context->workspaces.get(state.workspace_id);
              if (workspace) environment = context->options.environment(workspace->state.owner_id);
            }
            result->link->send(keeper::open_request{state.keeper_session,
                                                    static_cast<std::uint16_t>(state.cols),
                                                    static_cast<std::uint16_t>(state.rows),
                                                    "",
                                                    std::move(environment),
                                                    {}});
            result->link->send(keeper::attach_request{state.keeper_session, 0});
          }})
      .then(
          [=, this](caf::ok_atom) {
            if (!*appended) {
              open_promise_.deliver(session_outcome(tl::unexpected(appended->error())));
              return quit();
            }
            state_.version = **appended;
            recorder_.emplace(context_->options.batch_bytes, system_origin(), state_.version, 0);
            state_.unattended_since_ms = now_ms();
            count_open(true);
            if (!result->link) {
              // Recorded as opened, so recorded as closed: the log tells what happened.
              link_phase_ = link_phase::down;
              open_failure_ = result->failure;
              begin_close({"open_failed", std::nullopt, false}, {});
              return;
            }
            on_link_opened(*result);
            arm_grace();
          },
          [=, this](caf::error& problem) {
            open_promise_.deliver(failure(command_error::kind::internal, system().render(problem)));
            quit();
          });
}

void session_actor::start_recovery() {
  auto found = std::make_shared<recovered_session>();
  const auto window = context_->options.memory_window;
  request(context_->pool, caf::infinite, blocking_job{[=, context = context_, id = state_.id] {
            *found = recover_session(context->store, id, window);
          }})
      .await([=, this](caf::ok_atom) { on_recovered(*found); },
             [=, this](caf::error& problem) {
               load_error_ = command_error{command_error::kind::internal, system().render(problem)};
             });
}

void session_actor::on_recovered(recovered_session& found) {
  if (!found.state) {
    load_error_ = found.state.error();
    return;
  }
  state_ = std::move(*found.state);
  if (!state_.exists()) {
    load_error_ = command_error{command_error::kind::not_found, "no such session"};
    return;
  }
  caf::anon_send(directory_, known_atom::value, state_.id, state_.workspace_id, state_.user_id,
                 !state_.closed.has_value());
  if (found.screen) screen_->replace(std::move(*found.screen));
  screen_origin_ = found.screen_origin;
  keyframes_ = keyframe_cadence{found.keyframe_offset};
  telemetry::berth_metrics()
      .session_recovery_fed_bytes.with({found.from_keyframe ? "keyframe" : "start"})
      .add(found.fed_bytes);
  window_.restore(state_.output_end, std::move(found.tail));
  recorder_.emplace(context_->options.batch_bytes, system_origin(), state_.version,
                    state_.output_end);
  if (state_.closed) {
    // Woken to be read, replayed or renamed: stay a while, as after a close.
    phase_ = session_phase::closed;
    delayed_send(this, closed_linger, quit_atom::value);
    return;
  }
  grace_spent_before_ = grace_spent_before_restart(state_);
  // Clients of the previous server are gone: say so, for the audit trail.
  for (const auto& client_id : state_.attached_clients)
    record(session_event::client_detached{client_id, "", ""}, system_origin());
  state_.attached_clients.clear();
  count_open(true);
  arm_grace();
  relink();
}

// --- Requests -------------------------------------------------------------------------------

caf::result<session_outcome> session_actor::handle(session_request request) {
  if (load_error_) {
    if (auto* attach = std::get_if<attach_client>(&request)) {
      attach->client->refuse(
          {terminal::protocol_error_code::unknown_session, load_error_->message});
    }
    auto refused = session_outcome(tl::unexpected(*load_error_));
    quit();
    return refused;
  }
  return std::visit([this](auto& typed) { return on(typed); }, request);
}

caf::result<session_outcome> session_actor::on(client_input& input) {
  // A client waiting for output the server had not recorded before a restart (see
  // on(attach_client)) types into the same shell: its keys are taken as well, not dropped.
  if (finishing() || (!clients_.contains(input.client_id) && !waiting_.contains(input.client_id)))
    return summary();
  telemetry::berth_metrics().terminal_input_bytes.add(input.bytes.size());
  deliver_input(std::move(input.bytes));
  touch_workspace(false);
  return summary();
}

caf::result<session_outcome> session_actor::on(get_session&) {
  return summary();
}

caf::result<session_outcome> session_actor::on(rename_session& rename) {
  if (rename.name == state_.name) return summary();
  state_.name = rename.name;
  record(session_event::renamed{rename.name}, origin_of(rename.caller));
  auto promise = make_response_promise<session_outcome>();
  renames_waiting_.push_back(promise);
  flush();  // now, not after the batch interval: the caller waits for the commit
  return promise;
}

caf::result<session_outcome> session_actor::on(close_session& close) {
  if (phase_ == session_phase::closed) return summary();
  auto promise = make_response_promise<session_outcome>();
  close_promises_.push_back(promise);
  if (!finishing()) begin_close({"closed_by_user", std::nullopt, false}, close.caller);
  return promise;
}

// --- Closing --------------------------------------------------------------------------------

void session_actor::begin_close(session_close how, const session_caller& caller) {
  phase_ = session_phase::closing;
  pending_close_ = std::move(how);
  close_origin_ = caller.user_id.empty() ? system_origin() : origin_of(caller);
  if (link_ && pending_close_.reason != "open_failed") {
    link_->send(keeper::close_request{state_.keeper_session});
    delayed_send(this, close_timeout, finish_atom::value, ++close_attempt_);
  } else {
    finish(pending_close_);
  }
}

void session_actor::finish(session_close how) {
  if (phase_ == session_phase::finishing || phase_ == session_phase::closed) return;
  phase_ = session_phase::finishing;
  state_.closed = how;
  count_open(false);
  record(session_event::closed{how.reason, how.exit_status, how.signaled},
         close_origin_.actor_id.empty() ? system_origin() : close_origin_);
  flush();
}

void session_actor::on_closed_committed() {
  phase_ = session_phase::closed;
  link_.reset();
  link_phase_ = link_phase::down;
  caf::anon_send(directory_, closed_atom::value, state_.id);
  for (auto& promise : close_promises_)
    promise.deliver(summary());
  close_promises_.clear();
  if (open_promise_.pending()) {
    open_promise_.deliver(failure(command_error::kind::dependency_unavailable,
                                  "cannot start a shell: " + open_failure_));
  }
  for (auto& [id, slot] : clients_)
    pending_exit_clients_.push_back(id);
  for (auto& [id, waiting] : waiting_)
    admit(waiting);  // refused: the session ended before their offset
  waiting_.clear();
  deliver_exit_when_caught_up();
  // Stay a moment for clients still catching up, then go: a later attach replays from the log.
  delayed_send(this, closed_linger, quit_atom::value);
}

void session_actor::arm_grace() {
  if (!clients_.empty() || finishing()) return;
  const auto left =
      std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 context_->options.grace - grace_spent_before_));
  delayed_send(this, left, grace_atom::value, ++grace_generation_);
}

void session_actor::touch_workspace(bool now) {
  // Output counts too: a program may run unattended.
  const auto at = std::chrono::steady_clock::now();
  if (!now && at - last_touch_ < touch_interval) return;
  last_touch_ = at;
  context_->workspaces.touch(state_.workspace_id);
}

void session_actor::count_open(bool open) {
  open_metric_.set(open);
  count_clients();
}

void session_actor::count_clients() {
  attached_metric_.set(open_metric_.present() && !clients_.empty());
}

session_origin session_actor::system_origin() const {
  session_origin origin;
  origin.node = context_->options.node;
  return origin;
}

session_origin session_actor::origin_of(const session_caller& caller) const {
  session_origin origin{caller.user_id, caller.remote_address, caller.trace_id,
                        context_->options.node,
                        caller.trace.valid() ? caller.trace.span_id_hex() : std::string()};
  if (origin.actor_id.empty()) origin.actor_id = "system";
  return origin;
}

session_origin session_actor::origin_of_client(const client_slot& slot) const {
  auto origin = system_origin();
  origin.actor_id = slot.user_id;
  origin.remote_address = slot.remote_address;
  return origin;
}

session_outcome session_actor::summary() const {
  session_summary out;
  out.id = state_.id;
  out.workspace_id = state_.workspace_id;
  out.user_id = state_.user_id;
  out.name = state_.name;
  out.state = phase_ == session_phase::closed ? "closed" : "open";
  out.cols = state_.cols;
  out.rows = state_.rows;
  out.opened_ms = state_.opened_ms;
  out.output_bytes = window_.received_end();
  if (state_.closed) {
    out.close_reason = state_.closed->reason;
    out.exit_status = state_.closed->exit_status;
  }
  return out;
}

}  // namespace berth::actors::session_detail
