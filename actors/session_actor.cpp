#include "actors/session_actor.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "actors/interfaces.hpp"
#include "actors/screen_model.hpp"
#include "actors/session_state.hpp"
#include "actors/workspace_docker.hpp"
#include "docker/keeper_link.hpp"
#include "docker/workspace_container.hpp"
#include "events/event_store.hpp"
#include "telemetry/berth_metrics.hpp"
#include "telemetry/log.hpp"
#include "telemetry/span.hpp"
#include "terminal/flow_control.hpp"

namespace berth::actors {
namespace {

using flush_atom = caf::atom_constant<caf::atom("flush")>;
using grace_atom = caf::atom_constant<caf::atom("grace")>;
using relink_atom = caf::atom_constant<caf::atom("relink")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;
using closed_atom = caf::atom_constant<caf::atom("sclosed")>;
using known_atom = caf::atom_constant<caf::atom("sknown")>;
using quit_atom = caf::atom_constant<caf::atom("squit")>;
using ahead_atom = caf::atom_constant<caf::atom("sahead")>;

constexpr int max_relink_attempts = 6;
/// How long a client resuming from beyond the recorded output waits for the keeper to resend.
constexpr auto ahead_wait = std::chrono::seconds(10);
constexpr auto close_timeout = std::chrono::seconds(5);
/// How long the actor of a closed session stays for clients replaying it.
constexpr auto closed_linger = std::chrono::seconds(30);
constexpr std::size_t max_frame_bytes = 64 * 1024;
constexpr std::int64_t max_log_read = 1024 * 1024;
/// Output kept in memory for clients that flow control holds back; beyond, the event log.
constexpr std::int64_t max_memory_bytes = 16 * 1024 * 1024;
/// A session in use keeps its workspace from idling out; the workspace is told at most this
/// often.
constexpr auto touch_interval = std::chrono::seconds(30);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

session_outcome failure(command_error::kind code, std::string message) {
  return tl::unexpected(command_error{code, std::move(message)});
}

void log_warn(std::string_view message, const std::string& session_id, std::string_view detail) {
  telemetry::log(telemetry::level::warn, "actors.session", message,
                 {{"session", std::string_view(session_id)}, {"detail", detail}});
}

/// Output written to a client but not acknowledged, and where it starts.
struct client_slot {
  std::shared_ptr<terminal::client> client;
  terminal::flow_control flow;
  std::string user_id;
  std::string remote_address;
  bool reading_log = false;
};

/// What a blocking recovery job found.
struct recovered {
  command_result<session_state> state = session_state{};
  std::string tail;  ///< the last bytes of output, for the memory window
  std::optional<screen_model> screen;
};

/// A link opened on a pool thread, handed to the actor.
struct opened_link {
  std::optional<docker::keeper_link> link;
  std::string failure;
  bool container_missing = false;
};

class session_actor : public caf::event_based_actor {
 public:
  session_actor(caf::actor_config& config, std::shared_ptr<session_context> context,
                std::string session_id, std::optional<open_session> opening, caf::actor directory)
      : caf::event_based_actor(config),
        context_(std::move(context)),
        opening_(std::move(opening)),
        directory_(std::move(directory)),
        screen_(24, 80) {
    state_.id = std::move(session_id);
  }

  caf::behavior make_behavior() override {
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
          if (delivery.link == link_generation_) on_keeper(std::move(delivery.message));
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
        [this](quit_atom) {
          // A rename of a closed session may still be on its way to the log.
          if (append_in_flight_ || !pending_.empty()) {
            return delayed_send(this, std::chrono::seconds(1), quit_atom::value);
          }
          quit();
        },
        [this](ahead_atom, const std::string& client_id) { on_ahead_timeout(client_id); },
        [this](finish_atom, std::uint64_t attempt) {
          // The keeper did not confirm a close in time: record it anyway.
          if (attempt == close_attempt_ && !closed_recorded_) finish(pending_close_);
        },
    };
  }

  void on_exit() override {
    link_.reset();
    // The session lives on (or has ended and said so): clients reconnect to the next actor.
    for (auto& [id, slot] : clients_)
      slot.client->end(terminal::farewell::server_stopping, "session actor stopped");
    clients_.clear();
    count_open(false);
  }

 private:
  // --- Opening and recovery ---------------------------------------------------------------

  void start_open() {
    const auto& open = *opening_;
    state_.workspace_id = open.workspace_id;
    state_.user_id = open.caller.user_id;
    state_.keeper_session = state_.id;
    state_.cols = open.cols;
    state_.rows = open.rows;
    state_.opened_ms = now_ms();
    screen_.resize(open.rows, open.cols);
    open_promise_ = make_response_promise<session_outcome>();
    auto result = std::make_shared<opened_link>();
    auto appended = std::make_shared<command_result<std::int64_t>>(0);
    const auto handle = caf::actor_cast<caf::actor>(this);
    const auto generation = ++link_generation_;
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
              *result = open_link(*context, state.workspace_id, handle, generation);
              if (!result->link) return;
              // The shell runs in the workspace owner's container, so it gets the owner's
              // secrets, whoever opens it: an admin's never reach a member's container.
              std::vector<std::string> environment;
              if (context->options.environment) {
                auto workspace = context->workspaces.get(state.workspace_id);
                if (workspace)
                  environment = context->options.environment(workspace->state.owner_id);
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
              state_.unattended_since_ms = now_ms();
              count_open(true);
              if (!result->link) {
                // Recorded as opened, so recorded as closed: the log tells what happened.
                begin_close({"open_failed", std::nullopt, false}, {});
                open_failure_ = result->failure;
                return;
              }
              link_ = std::move(result->link);
              arm_grace();
            },
            [=, this](caf::error& problem) {
              open_promise_.deliver(
                  failure(command_error::kind::internal, system().render(problem)));
              quit();
            });
  }

  void start_recovery() {
    auto found = std::make_shared<recovered>();
    const auto window = context_->options.memory_window;
    request(context_->pool, caf::infinite, blocking_job{[=, context = context_, id = state_.id] {
              session_state folded;
              std::optional<screen_model> screen;
              std::string tail;
              auto read = context->store.fold_stream(
                  session_stream(id), 1, [&](const events::recorded_event& event) {
                    evolve(folded, event);
                    if (event.type == "SessionOpened") screen.emplace(folded.rows, folded.cols);
                    if (!screen) return;
                    if (event.type == "SessionResized") screen->resize(folded.rows, folded.cols);
                    if (event.type == "OutputRecorded" && event.body) {
                      screen->feed(*event.body);
                      tail += *event.body;
                      if (static_cast<std::int64_t>(tail.size()) > 2 * window) {
                        tail.erase(0, tail.size() - static_cast<std::size_t>(window));
                      }
                    }
                  });
              if (!read) {
                found->state = tl::unexpected(command_error{
                    command_error::kind::dependency_unavailable, read.error().message});
                return;
              }
              found->state = std::move(folded);
              found->tail = std::move(tail);
              found->screen = std::move(screen);
            }})
        .await(
            [=, this](caf::ok_atom) {
              if (!found->state) {
                load_error_ = found->state.error();
                return;
              }
              state_ = std::move(*found->state);
              if (!state_.exists()) {
                load_error_ = command_error{command_error::kind::not_found, "no such session"};
                return;
              }
              caf::anon_send(directory_, known_atom::value, state_.id, state_.workspace_id,
                             state_.user_id, !state_.closed.has_value());
              if (found->screen) screen_ = std::move(*found->screen);
              received_end_ = committed_end_ = state_.output_end;
              memory_ = std::move(found->tail);
              memory_start_ = received_end_ - static_cast<std::int64_t>(memory_.size());
              if (state_.closed) {
                // Woken to be read, replayed or renamed: stay a while, as after a close.
                closed_recorded_ = true;
                delayed_send(this, closed_linger, quit_atom::value);
                return;
              }
              // Grace counts only time the server was up: from the last detach to the last
              // event recorded before the restart, and nothing when a client was attached.
              const auto spent =
                  state_.attached_clients.empty()
                      ? std::max<std::int64_t>(0, state_.last_event_ms - state_.unattended_since_ms)
                      : 0;
              // Clients of the previous server are gone: say so, for the audit trail.
              for (const auto& client_id : state_.attached_clients) {
                queue_event(client_detached_event(client_id, "", system_origin()));
              }
              state_.attached_clients.clear();
              count_open(true);
              grace_spent_before_ = std::chrono::milliseconds(spent);
              arm_grace();
              relink();
            },
            [=, this](caf::error& problem) {
              load_error_ = command_error{command_error::kind::internal, system().render(problem)};
            });
  }

  static opened_link open_link(session_context& context, const std::string& workspace_id,
                               const caf::actor& handle, std::uint64_t generation) {
    opened_link result;
    auto docker = docker_for_this_thread();
    if (!docker) {
      result.failure = "Docker: " + docker.error().message;
      return result;
    }
    docker::keeper_link_handlers handlers{
        .on_message =
            [handle, generation](const keeper::message& message) {
              caf::anon_send(handle, keeper_delivery{generation, message});
            },
        .on_closed =
            [handle, generation](std::optional<docker::keeper_link_error> failure) {
              caf::anon_send(
                  handle, keeper_link_ended{generation,
                                            failure ? docker::describe(*failure) : std::string{}});
            },
        .on_diagnostic = {}};
    auto link = docker::keeper_link::open(
        **docker, context.io, docker::workspace_resource_name(workspace_id), std::move(handlers));
    if (!link) {
      result.failure = docker::describe(link.error());
      result.container_missing = link.error().docker && (link.error().docker->http_status == 404 ||
                                                         link.error().docker->http_status == 409);
      if (link.error().docker) forget_docker_client_on(*link.error().docker);
      return result;
    }
    result.link.emplace(std::move(*link));
    return result;
  }

  /// Opens a new link to the keeper and attaches from the bytes already received.
  void relink() {
    if (finishing() || relinking_) return;
    relinking_ = true;
    broadcast_status("reconnecting");
    link_.reset();
    auto result = std::make_shared<opened_link>();
    const auto handle = caf::actor_cast<caf::actor>(this);
    const auto generation = ++link_generation_;
    const auto from = received_end_;
    request(context_->pool, caf::infinite,
            blocking_job{[=, context = context_, workspace_id = state_.workspace_id,
                          keeper_session = state_.keeper_session] {
              *result = open_link(*context, workspace_id, handle, generation);
              if (result->link) {
                result->link->send(
                    keeper::attach_request{keeper_session, static_cast<std::uint64_t>(from)});
              }
            }})
        .then(
            [=, this](caf::ok_atom) {
              relinking_ = false;
              if (result->link) {
                link_ = std::move(result->link);
                return;
              }
              log_warn("cannot reach the keeper", state_.id, result->failure);
              if (result->container_missing || ++relink_failures_ >= max_relink_attempts) {
                return finish({result->container_missing ? "workspace_stopped" : "shell_lost",
                               std::nullopt, false});
              }
              delayed_send(this, std::chrono::milliseconds(250 << relink_failures_),
                           relink_atom::value);
            },
            [=, this](caf::error&) {
              relinking_ = false;
              delayed_send(this, std::chrono::seconds(1), relink_atom::value);
            });
  }

  // --- Requests -----------------------------------------------------------------------------

  caf::result<session_outcome> handle(session_request request) {
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

  caf::result<session_outcome> on(attach_client& attach) {
    if (attach.from && *attach.from > received_end_ && !finishing()) {
      // A client may have rendered output this server had not recorded when it was killed:
      // the keeper still holds it and sends it again shortly. Wait for it, within reason.
      delayed_send(this, ahead_wait, ahead_atom::value, attach.client_id);
      waiting_.insert_or_assign(attach.client_id, std::move(attach));
      return summary();
    }
    admit(attach);
    return summary();
  }

  void admit_waiting() {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (*it->second.from <= received_end_) {
        admit(it->second);
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void on_ahead_timeout(const std::string& client_id) {
    const auto found = waiting_.find(client_id);
    if (found == waiting_.end()) return;
    admit(found->second);  // refused now: the offset is still ahead
    waiting_.erase(found);
  }

  void admit(attach_client& attach) {
    // A short span per attach (not one for the WebSocket's life), child of the upgrade's.
    telemetry::span attaching("berth.sessions", attach.from ? "session resume" : "session attach",
                              telemetry::span_kind::internal, attach.caller.trace);
    attaching.set("session.id", state_.id);
    attaching.set("workspace.id", state_.workspace_id);
    const auto end = received_end_;
    const auto oldest_held = std::max<std::int64_t>(0, end - context_->options.replay_limit);
    std::optional<std::int64_t> requested = attach.from;
    if (state_.closed && !requested) requested = std::max<std::int64_t>(0, oldest_held);
    auto plan = terminal::plan_resume(requested, oldest_held, end);
    if (!plan) {
      attaching.set_error(plan.error().message);
      attach.client->refuse(plan.error());
      return;
    }
    std::int64_t start = 0;
    std::optional<std::string> snapshot;
    if (const auto* exact = std::get_if<terminal::exact_replay>(&*plan)) {
      start = exact->from;
    } else {
      start = screen_.interpreted_bytes();  // the model is fed from offset 0
      snapshot = render_vt(screen_.take_snapshot());
    }
    attaching.set("terminal.end_offset", end);
    attaching.set("terminal.start_offset", start);
    attaching.set("terminal.snapshot", snapshot.has_value());
    if (attach.from) {
      attaching.set("terminal.requested_offset", *attach.from);
      telemetry::berth_metrics().terminal_resumes.with({snapshot ? "snapshot" : "bytes"}).add();
    }
    attach.client->send(
        terminal::attached_message{start, end, snapshot.has_value(), state_.cols, state_.rows});
    if (snapshot) attach.client->send(terminal::snapshot_message{std::move(*snapshot)});
    auto& slot =
        clients_
            .insert_or_assign(attach.client_id,
                              client_slot{attach.client, terminal::flow_control(start),
                                          attach.caller.user_id, attach.caller.remote_address})
            .first->second;
    count_clients();
    fill(attach.client_id, slot);
    if (state_.closed) {
      // A finished session is replayed; the client learns how it ended once caught up.
      pending_exit_clients_.push_back(attach.client_id);
      deliver_exit_when_caught_up();
      return;
    }
    ++grace_generation_;
    state_.attached_clients.insert(attach.client_id);
    queue_event(
        client_attached_event(attach.client_id, attach.caller.user_id, origin_of(attach.caller)));
    touch_workspace(true);
    broadcast_status(relinking_ ? "reconnecting" : "running");
  }

  /// Tells the workspace it is in use (output counts: a program may run unattended).
  void touch_workspace(bool now) {
    const auto at = std::chrono::steady_clock::now();
    if (!now && at - last_touch_ < touch_interval) return;
    last_touch_ = at;
    context_->workspaces.touch(state_.workspace_id);
  }

  caf::result<session_outcome> on(detach_client& detach) {
    waiting_.erase(detach.client_id);
    const auto found = clients_.find(detach.client_id);
    if (found == clients_.end()) return summary();
    session_origin origin = system_origin();
    origin.actor_id = found->second.user_id;
    origin.remote_address = found->second.remote_address;
    const auto user_id = found->second.user_id;
    clients_.erase(found);
    count_clients();
    if (state_.closed || finishing()) return summary();
    state_.attached_clients.erase(detach.client_id);
    queue_event(client_detached_event(detach.client_id, user_id, origin));
    if (clients_.empty()) {
      state_.unattended_since_ms = now_ms();
      grace_spent_before_ = {};
      arm_grace();
    } else {
      broadcast_status(relinking_ ? "reconnecting" : "running");
    }
    return summary();
  }

  caf::result<session_outcome> on(client_input& input) {
    if (finishing() || !clients_.contains(input.client_id)) return summary();
    telemetry::berth_metrics().terminal_input_bytes.add(input.bytes.size());
    if (link_) link_->send(keeper::input_request{state_.keeper_session, input.bytes});
    if (context_->options.record_input) {
      if (pending_input_open_ && pending_output_.empty() &&
          pending_input_.size() + input.bytes.size() <= context_->options.batch_bytes) {
        pending_input_ += input.bytes;
      } else {
        close_pending_input();
        pending_input_ = std::move(input.bytes);
        queue_event(input_recorded_event({}, system_origin()));
      }
      pending_input_open_ = true;
      schedule_flush();
    }
    touch_workspace(false);
    return summary();
  }

  caf::result<session_outcome> on(client_resize& resize) {
    if (finishing() || !clients_.contains(resize.client_id)) return summary();
    if (resize.cols == state_.cols && resize.rows == state_.rows) return summary();
    state_.cols = resize.cols;
    state_.rows = resize.rows;
    screen_.resize(resize.rows, resize.cols);
    if (link_) {
      link_->send(keeper::resize_request{state_.keeper_session,
                                         static_cast<std::uint16_t>(resize.cols),
                                         static_cast<std::uint16_t>(resize.rows)});
    }
    const auto found = clients_.find(resize.client_id);
    session_origin origin = system_origin();
    origin.actor_id = found->second.user_id;
    origin.remote_address = found->second.remote_address;
    queue_event(session_resized_event(resize.cols, resize.rows, origin));
    broadcast_status(relinking_ ? "reconnecting" : "running");
    return summary();
  }

  caf::result<session_outcome> on(client_ack& ack) {
    const auto found = clients_.find(ack.client_id);
    if (found == clients_.end()) return summary();
    if (auto recorded = found->second.flow.record_ack(ack.offset); !recorded) {
      found->second.client->refuse(recorded.error());
      clients_.erase(found);
      count_clients();
      return summary();
    }
    fill(found->first, found->second);
    deliver_exit_when_caught_up();
    return summary();
  }

  caf::result<session_outcome> on(get_session&) { return summary(); }

  caf::result<session_outcome> on(rename_session& rename) {
    if (rename.name == state_.name) return summary();
    state_.name = rename.name;
    queue_event(session_renamed_event(rename.name, origin_of(rename.caller)));
    auto promise = make_response_promise<session_outcome>();
    renames_waiting_.push_back(promise);
    flush();  // now, not after the batch interval: the caller waits for the commit
    return promise;
  }

  caf::result<session_outcome> on(close_session& close) {
    if (closed_recorded_) return summary();
    auto promise = make_response_promise<session_outcome>();
    close_promises_.push_back(promise);
    if (!finishing()) begin_close({"closed_by_user", std::nullopt, false}, close.caller);
    return promise;
  }

  // --- Keeper -------------------------------------------------------------------------------

  void on_keeper(keeper::message message) {
    if (auto* output = std::get_if<keeper::output_event>(&message)) return on_output(*output);
    if (auto* opened = std::get_if<keeper::opened_reply>(&message)) {
      (void)opened;
      if (opening_ && open_promise_.pending()) open_promise_.deliver(summary());
      return;
    }
    if (const auto* attached = std::get_if<keeper::attached_reply>(&message)) {
      telemetry::log(telemetry::level::debug, "actors.session", "keeper attached",
                     {{"session", std::string_view(state_.id)},
                      {"offset", static_cast<std::int64_t>(attached->offset)}});
      relink_failures_ = 0;
      broadcast_status("running");
      return;
    }
    if (auto* gap = std::get_if<keeper::gap_reply>(&message)) {
      // Acks follow commits, so the keeper keeps what is not recorded; a gap means the
      // keeper restarted its journal. Say so and go on from what it has.
      log_warn("keeper journal gap", state_.id,
               std::to_string(gap->requested) + ".." + std::to_string(gap->oldest));
      return;
    }
    if (auto* exited = std::get_if<keeper::exited_event>(&message)) {
      session_close how{pending_close_.reason.empty() ? "exited" : pending_close_.reason,
                        static_cast<int>(exited->status.value), exited->status.signaled};
      if (link_) link_->send(keeper::close_request{state_.keeper_session});
      return finish(how);
    }
    if (std::holds_alternative<keeper::closed_reply>(message)) {
      if (!closed_recorded_)
        finish(pending_close_.reason.empty() ? session_close{"shell_lost", std::nullopt, false}
                                             : pending_close_);
      return;
    }
    if (auto* error = std::get_if<keeper::error_reply>(&message)) {
      log_warn("keeper error", state_.id, error->message);
      if (opening_ && open_promise_.pending()) {
        open_failure_ = "keeper: " + error->message;
        return finish({"open_failed", std::nullopt, false});
      }
      if (error->code == keeper::error_code::unknown_session) {
        return finish({pending_close_.reason.empty() ? "shell_lost" : pending_close_.reason,
                       std::nullopt, false});
      }
    }
  }

  void on_output(keeper::output_event& output) {
    auto offset = static_cast<std::int64_t>(output.offset);
    std::string_view bytes = output.data;
    if (offset + static_cast<std::int64_t>(bytes.size()) <= received_end_) return;  // had it
    if (offset < received_end_) {
      bytes.remove_prefix(static_cast<std::size_t>(received_end_ - offset));
      offset = received_end_;
    }
    if (offset > received_end_) {
      log_warn("output gap", state_.id,
               std::to_string(received_end_) + ".." + std::to_string(offset));
      pending_output_start_ = offset;
      received_end_ = offset;
      memory_.clear();
      memory_start_ = offset;
    }
    if (pending_output_.empty()) pending_output_start_ = offset;
    pending_output_.append(bytes);
    memory_.append(bytes);
    received_end_ += static_cast<std::int64_t>(bytes.size());
    telemetry::berth_metrics().terminal_output_bytes.add(bytes.size());
    screen_.feed(bytes);
    touch_workspace(false);
    for (auto& [id, slot] : clients_)
      fill(id, slot);
    admit_waiting();
    if (pending_output_.size() >= context_->options.batch_bytes) {
      flush();
    } else {
      schedule_flush();
    }
  }

  void on_link_ended(const std::string& failure) {
    link_.reset();
    if (closed_recorded_) return;
    if (finishing()) return finish(pending_close_);
    if (opening_ && open_promise_.pending()) {
      open_failure_ = failure.empty() ? "the keeper link ended" : failure;
      return finish({"open_failed", std::nullopt, false});
    }
    if (!failure.empty()) log_warn("keeper link ended", state_.id, failure);
    delayed_send(this, std::chrono::milliseconds(200), relink_atom::value);
  }

  // --- Closing ------------------------------------------------------------------------------

  bool finishing() const { return closing_ || closed_recorded_; }

  void begin_close(session_close how, const session_caller& caller) {
    closing_ = true;
    pending_close_ = std::move(how);
    close_origin_ = caller.user_id.empty() ? system_origin() : origin_of(caller);
    if (link_ && pending_close_.reason != "open_failed") {
      link_->send(keeper::close_request{state_.keeper_session});
      delayed_send(this, close_timeout, finish_atom::value, ++close_attempt_);
    } else {
      finish(pending_close_);
    }
  }

  /// Records the end (after the output still pending), tells the clients, and quits.
  void finish(session_close how) {
    if (closed_recorded_ || finish_queued_) return;
    finish_queued_ = true;
    closing_ = true;
    state_.closed = how;
    count_open(false);
    queue_event(session_closed_event(
        how, close_origin_.actor_id.empty() ? system_origin() : close_origin_));
    flush();
  }

  void on_closed_committed() {
    closed_recorded_ = true;
    link_.reset();
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
    // Stay a moment for clients still catching up, then go: a later attach replays from
    // the log.
    delayed_send(this, closed_linger, quit_atom::value);
  }

  void deliver_exit_when_caught_up() {
    if (!state_.closed || !closed_recorded_) return;
    auto still = std::vector<std::string>{};
    for (const auto& id : pending_exit_clients_) {
      const auto found = clients_.find(id);
      if (found == clients_.end()) continue;
      if (found->second.flow.sent_end() < received_end_) {
        still.push_back(id);
        continue;
      }
      const auto& how = *state_.closed;
      found->second.client->send(
          terminal::exit_message{how.exit_status.value_or(-1), how.signaled});
      found->second.client->end(terminal::farewell::session_ended, how.reason);
      clients_.erase(found);
    }
    pending_exit_clients_ = std::move(still);
    count_clients();
  }

  /// Keeps the terminal session gauges in step with this session.
  void count_open(bool open) {
    open_metric_.set(open);
    count_clients();
  }
  void count_clients() { attached_metric_.set(open_metric_.present() && !clients_.empty()); }

  // --- Recording ------------------------------------------------------------------------------

  void queue_event(events::new_event event) {
    close_pending_output();
    pending_.push_back(std::move(event));
    schedule_flush();
  }

  /// Turns output received so far into OutputRecorded events (≤ batch_bytes each).
  void close_pending_output() {
    close_pending_input();
    while (!pending_output_.empty()) {
      const auto size = std::min(pending_output_.size(), context_->options.batch_bytes);
      pending_.push_back(output_recorded_event(pending_output_start_,
                                               pending_output_.substr(0, size), system_origin()));
      pending_output_start_ += static_cast<std::int64_t>(size);
      pending_output_.erase(0, size);
    }
  }

  void close_pending_input() {
    if (!pending_input_open_) return;
    pending_input_open_ = false;
    for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
      if (it->type != "InputRecorded") continue;
      it->data = "{\"length\":" + std::to_string(pending_input_.size()) + "}";
      it->body = std::move(pending_input_);
      pending_input_.clear();
      return;
    }
  }

  void schedule_flush() {
    if (flush_timer_armed_) return;
    flush_timer_armed_ = true;
    delayed_send(this, context_->options.batch_interval, flush_atom::value);
  }

  void flush() {
    if (append_in_flight_) return;
    close_pending_output();
    if (pending_.empty()) return;
    append_in_flight_ = true;
    auto batch = std::move(pending_);
    pending_.clear();
    // Where each output event's bytes go in the index once committed (versions follow on).
    std::vector<output_chunk> chunks;
    bool closes = false;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& event = batch[i];
      if (event.type == "OutputRecorded") {
        const auto offset = offset_in(event.data);
        chunks.push_back({offset, offset + static_cast<std::int64_t>(event.body->size()),
                          state_.version + 1 + static_cast<std::int64_t>(i)});
      }
      closes = closes || event.type == "SessionClosed";
    }
    auto renames = std::move(renames_waiting_);
    renames_waiting_.clear();
    events::append_request append{session_stream(state_.id), "session", state_.version, batch};
    auto outcome =
        std::make_shared<events::result<events::append_result>>(tl::unexpected(events::error{}));
    request(context_->pool, caf::infinite,
            blocking_job{[outcome, context = context_, append = std::move(append)]() mutable {
              *outcome = context->store.append(std::move(append));
            }})
        .then(
            [=, this](caf::ok_atom) mutable {
              append_in_flight_ = false;
              if (!*outcome) {
                // Nothing is acked to the keeper, so nothing is lost: try again shortly.
                log_warn("cannot record session events", state_.id, outcome->error().message);
                batch.insert(batch.end(), std::make_move_iterator(pending_.begin()),
                             std::make_move_iterator(pending_.end()));
                pending_ = std::move(batch);
                renames.insert(renames.end(), renames_waiting_.begin(), renames_waiting_.end());
                renames_waiting_ = std::move(renames);
                delayed_send(this, std::chrono::seconds(1), flush_atom::value);
                flush_timer_armed_ = true;
                return;
              }
              state_.version = (*outcome)->last_version;
              for (const auto& chunk : chunks) {
                state_.output_index.push_back(chunk);
                committed_end_ = std::max(committed_end_, chunk.end);
              }
              state_.output_end = committed_end_;
              if (!chunks.empty() && link_) {
                link_->send(keeper::ack_request{state_.keeper_session,
                                                static_cast<std::uint64_t>(committed_end_)});
              }
              trim_memory();
              for (auto& promise : renames)
                promise.deliver(summary());
              if (closes) on_closed_committed();
              if (!pending_.empty() || !pending_output_.empty()) {
                if (pending_output_.size() >= context_->options.batch_bytes) {
                  flush();
                } else {
                  schedule_flush();
                }
              }
            },
            [=, this](caf::error& problem) {
              append_in_flight_ = false;
              log_warn("append job failed", state_.id, system().render(problem));
            });
  }

  /// Drops output from memory that no client still needs: the window behind the end is kept,
  /// and so is what a client paused by flow control has not been sent yet (up to a cap; a
  /// client further behind is fed from the event log). Only recorded bytes are dropped.
  void trim_memory() {
    const auto window = context_->options.memory_window;
    auto keep_from = received_end_ - window;
    for (const auto& [id, slot] : clients_)
      keep_from = std::min(keep_from, slot.flow.sent_end());
    keep_from = std::max(keep_from, received_end_ - max_memory_bytes);
    keep_from = std::min(keep_from, committed_end_);
    // Erase in window-sized steps: erasing the front of a string moves the rest.
    if (keep_from - memory_start_ < window) return;
    memory_.erase(0, static_cast<std::size_t>(keep_from - memory_start_));
    memory_start_ = keep_from;
    if (memory_.capacity() > 4 * std::max<std::size_t>(memory_.size(), 4096))
      memory_.shrink_to_fit();
  }

  // --- Fan-out ------------------------------------------------------------------------------

  /// Sends a client what it may have now: from memory, or from the log when it is behind.
  void fill(const std::string& client_id, client_slot& slot) {
    while (slot.flow.may_send() && slot.flow.sent_end() < received_end_) {
      const auto from = slot.flow.sent_end();
      if (from >= memory_start_) {
        const auto size = std::min<std::int64_t>(received_end_ - from, max_frame_bytes);
        const auto bytes = std::string_view(memory_).substr(
            static_cast<std::size_t>(from - memory_start_), static_cast<std::size_t>(size));
        if (!slot.client->send_output(from, bytes)) return;
        slot.flow.record_sent(from, bytes.size());
        continue;
      }
      if (!slot.reading_log) read_log_for(client_id, slot, from);
      return;
    }
  }

  void read_log_for(const std::string& client_id, client_slot& slot, std::int64_t from) {
    slot.reading_log = true;
    const auto until = std::min(memory_start_, from + max_log_read);
    const auto first = chunk_holding(state_.output_index, from);
    const auto version =
        first < state_.output_index.size() ? state_.output_index[first].version : state_.version;
    auto bytes = std::make_shared<std::string>();
    auto failed = std::make_shared<std::string>();
    request(context_->pool, caf::infinite,
            blocking_job{[=, context = context_, stream = session_stream(state_.id)] {
              auto position = from;
              auto next_version = version;
              while (position < until) {
                auto page = context->store.read_stream(stream, next_version, 64);
                if (!page) {
                  *failed = page.error().message;
                  return;
                }
                if (page->empty()) break;
                for (const auto& event : *page) {
                  next_version = event.stream_version + 1;
                  if (event.type != "OutputRecorded" || !event.body) continue;
                  auto data = offset_in(event.data);
                  const auto end = data + static_cast<std::int64_t>(event.body->size());
                  if (end <= position) continue;
                  const auto skip = static_cast<std::size_t>(position - data);
                  const auto take = std::min<std::int64_t>(end, until) - position;
                  bytes->append(*event.body, skip, static_cast<std::size_t>(take));
                  position += take;
                  if (position >= until) break;
                }
              }
            }})
        .then(
            [=, this](caf::ok_atom) {
              const auto found = clients_.find(client_id);
              if (found == clients_.end()) return;
              auto& current = found->second;
              current.reading_log = false;
              if (!failed->empty() || bytes->empty() || current.flow.sent_end() != from) {
                if (!failed->empty()) log_warn("cannot read output", state_.id, *failed);
                return;
              }
              std::string_view rest = *bytes;
              auto offset = from;
              while (!rest.empty()) {
                const auto piece = rest.substr(0, max_frame_bytes);
                if (!current.client->send_output(offset, piece)) return;
                current.flow.record_sent(offset, piece.size());
                offset += static_cast<std::int64_t>(piece.size());
                rest.remove_prefix(piece.size());
              }
              fill(client_id, current);
              deliver_exit_when_caught_up();
            },
            [=, this](caf::error&) {
              if (auto found = clients_.find(client_id); found != clients_.end()) {
                found->second.reading_log = false;
              }
            });
  }

  /// The `offset` of an OutputRecorded event's data (written by output_recorded_event).
  static std::int64_t offset_in(const std::string& data) {
    const auto at = data.find("\"offset\":");
    if (at == std::string::npos) return 0;
    return std::strtoll(data.c_str() + at + 9, nullptr, 10);
  }

  void broadcast_status(std::string_view state) {
    const terminal::server_message message = terminal::status_message{
        std::string(state), static_cast<int>(clients_.size()), state_.cols, state_.rows};
    for (auto& [id, slot] : clients_)
      slot.client->send(message);
  }

  void arm_grace() {
    if (!clients_.empty() || finishing()) return;
    const auto left = std::max(std::chrono::milliseconds(0),
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   context_->options.grace - grace_spent_before_));
    delayed_send(this, left, grace_atom::value, ++grace_generation_);
  }

  session_origin system_origin() const {
    session_origin origin;
    origin.node = context_->options.node;
    return origin;
  }

  session_origin origin_of(const session_caller& caller) const {
    session_origin origin{caller.user_id, caller.remote_address, caller.trace_id,
                          context_->options.node,
                          caller.trace.valid() ? caller.trace.span_id_hex() : std::string()};
    if (origin.actor_id.empty()) origin.actor_id = "system";
    return origin;
  }

  session_outcome summary() const {
    session_summary out;
    out.id = state_.id;
    out.workspace_id = state_.workspace_id;
    out.user_id = state_.user_id;
    out.name = state_.name;
    out.state = state_.closed && closed_recorded_ ? "closed" : "open";
    out.cols = state_.cols;
    out.rows = state_.rows;
    out.opened_ms = state_.opened_ms;
    out.output_bytes = received_end_;
    if (state_.closed) {
      out.close_reason = state_.closed->reason;
      out.exit_status = state_.closed->exit_status;
    }
    return out;
  }

  std::shared_ptr<session_context> context_;
  std::optional<open_session> opening_;
  caf::actor directory_;
  session_state state_;
  std::optional<command_error> load_error_;
  caf::typed_response_promise<session_outcome> open_promise_;
  std::string open_failure_;
  std::vector<caf::typed_response_promise<session_outcome>> close_promises_;
  /// Renames queued for the next append, answered once it commits.
  std::vector<caf::typed_response_promise<session_outcome>> renames_waiting_;

  std::optional<docker::keeper_link> link_;
  std::uint64_t link_generation_ = 0;
  bool relinking_ = false;
  int relink_failures_ = 0;

  screen_model screen_;
  std::string memory_;
  std::int64_t memory_start_ = 0;
  std::int64_t received_end_ = 0;
  std::int64_t committed_end_ = 0;

  std::vector<events::new_event> pending_;
  std::string pending_output_;
  std::int64_t pending_output_start_ = 0;
  std::string pending_input_;
  bool pending_input_open_ = false;
  bool append_in_flight_ = false;
  bool flush_timer_armed_ = false;

  std::map<std::string, client_slot> clients_;
  telemetry::gauge_presence open_metric_{telemetry::berth_metrics().terminal_sessions_open};
  telemetry::gauge_presence attached_metric_{telemetry::berth_metrics().terminal_sessions_attached};
  std::map<std::string, attach_client> waiting_;  ///< resuming from output not yet received
  std::vector<std::string> pending_exit_clients_;
  std::uint64_t grace_generation_ = 0;
  std::chrono::steady_clock::time_point last_touch_{};
  std::chrono::milliseconds grace_spent_before_{0};

  bool closing_ = false;
  bool finish_queued_ = false;
  bool closed_recorded_ = false;
  session_close pending_close_;
  session_origin close_origin_;
  std::uint64_t close_attempt_ = 0;
};

}  // namespace

caf::behavior session_directory(caf::event_based_actor* self,
                                std::shared_ptr<session_context> context) {
  struct entry {
    caf::actor actor;
    std::string workspace_id, user_id;
    bool open = true;
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
    auto actor = self->spawn<session_actor, caf::monitored>(context, id, std::move(opening),
                                                            caf::actor_cast<caf::actor>(self));
    known->id_of[actor.address()] = id;
    auto& stored = known->by_id[id];
    stored = entry{actor, {}, {}, true};
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
        const caf::actor actor = found != known->by_id.end()
                                     ? found->second.actor
                                     : spawn(addressed.session_id, std::nullopt).actor;
        return self->delegate(actor, std::move(addressed.request));
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
