#include "actors/workspace_operations.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "actors/workspace_docker.hpp"
#include "actors/workspace_snapshot.hpp"
#include "docker/client.hpp"
#include "events/event_store.hpp"
#include "events/uuid.hpp"
#include "telemetry/span.hpp"

namespace berth::actors {
namespace {

namespace cmd = workspace_command;

std::string stream_of(const std::string& workspace_id) {
  return "workspace-" + workspace_id;
}

command_error error_of(const events::error& failure) {
  using code = events::error_code;
  switch (failure.code) {
    case code::concurrency_conflict:
      return {command_error::kind::conflict, "the workspace was changed concurrently"};
    case code::dependency_unavailable:
      return {command_error::kind::dependency_unavailable, "the database is unavailable"};
    case code::not_found:
      return {command_error::kind::not_found, failure.message};
    default:
      return {command_error::kind::internal, failure.message};
  }
}

command_error error_of(const domain_error& failure) {
  switch (failure.code) {
    case domain_error::kind::not_found:
      return {command_error::kind::not_found, failure.message};
    case domain_error::kind::conflict:
      return {command_error::kind::conflict, failure.message};
    case domain_error::kind::invalid:
      break;
  }
  return {command_error::kind::invalid, failure.message};
}

command_error error_of(const docker::error& failure) {
  using code = docker::error_code;
  if (failure.code == code::daemon_unavailable || failure.code == code::timeout) {
    return {command_error::kind::dependency_unavailable,
            "Docker is unavailable: " + failure.message};
  }
  return {command_error::kind::internal, "Docker: " + docker::describe(failure)};
}

std::string metadata_of(const workspace_context& context, const command_origin& origin) {
  boost::json::object metadata{{"actor", origin.actor_id}, {"node", context.node}};
  if (!origin.remote_address.empty()) metadata["remote_address"] = origin.remote_address;
  // Decided inside the command's span (execute): its trace and span are the cause.
  if (const auto cause = telemetry::current_context(); cause.valid()) {
    metadata["trace_id"] = cause.trace_id_hex();
    metadata["span_id"] = cause.span_id_hex();
  } else if (!origin.trace_id.empty()) {
    metadata["trace_id"] = origin.trace_id;
  }
  return boost::json::serialize(metadata);
}

/// Runs one request against a state, recording each decision before acting on the next.
class workspace_runner {
 public:
  workspace_runner(workspace_context& context, workspace_state state, const command_origin& origin)
      : context_(context), state_(std::move(state)), origin_(origin) {}

  /// Decides `command`, appends what it decided and folds it in. A concurrency conflict
  /// (another node, or a stale actor) reloads the state and decides once more.
  command_result<void> record(const workspace_command_variant& command) {
    for (int attempt = 0;; ++attempt) {
      auto decided = decide(state_, command);
      if (!decided) return tl::unexpected(error_of(decided.error()));
      if (decided->empty()) return {};
      auto appended = append(*decided);
      if (appended) return {};
      if (appended.error().code != command_error::kind::conflict || attempt == 1) {
        return tl::unexpected(appended.error());
      }
      auto reloaded = load_workspace(context_, state_.id);
      if (!reloaded) return tl::unexpected(reloaded.error());
      state_ = std::move(*reloaded);
    }
  }

  /// Brings the container up and records how; a Docker failure is recorded as `failed`.
  command_result<void> ensure(const std::string& reason) {
    auto plan = plan_start(state_);
    if (!plan) return tl::unexpected(error_of(plan.error()));
    auto outcome = ensure_container(context_, state_);
    if (!outcome) {
      const auto failure = error_of(outcome.error());
      // Docker being unreachable says nothing about the workspace: do not mark it failed.
      if (failure.code != command_error::kind::dependency_unavailable) {
        if (auto recorded = record(cmd::record_failed{reason, failure.message}); !recorded) {
          return recorded;
        }
      }
      return tl::unexpected(failure);
    }
    return record(cmd::record_started{reason, outcome->outcome, outcome->new_container_id,
                                      outcome->volume, context_.now_ms()});
  }

  command_result<void> stop(const std::string& reason) {
    auto plan = plan_stop(state_);
    if (!plan) return tl::unexpected(error_of(plan.error()));
    if (state_.status == workspace_status::stopped) return {};
    if (auto stopped = stop_container(state_); !stopped) {
      return tl::unexpected(error_of(stopped.error()));
    }
    return record(cmd::record_stopped{reason, context_.now_ms()});
  }

  command_result<void> remove(const std::string& reason) {
    if (auto requested = record(cmd::request_delete{reason}); !requested) return requested;
    if (auto removed = remove_container_and_volume(context_, state_.id); !removed) {
      return tl::unexpected(error_of(removed.error()));
    }
    return record(cmd::record_deleted{reason});
  }

  /// The watcher saw a container die: recorded only when it is the current one and Docker
  /// confirms it is not running (a restart's own stop also reports `die`).
  command_result<void> container_lost(const workspace_request& request) {
    if (request.container_id != state_.container_id || state_.status != workspace_status::running) {
      return {};
    }
    auto running = container_running(state_);
    if (!running) return tl::unexpected(error_of(running.error()));
    if (*running) return {};
    return record(cmd::record_container_lost{request.container_id, request.how, request.exit_code});
  }

  /// Start-up check of one workspace against Docker.
  command_result<void> reconcile() {
    const bool gone =
        state_.status == workspace_status::none || state_.status == workspace_status::deleted;
    auto containers = labelled_containers(context_, state_.id);
    if (!containers) return tl::unexpected(error_of(containers.error()));
    for (const auto& id : *containers) {
      if (!gone && id == state_.container_id) continue;
      if (auto removed = remove_container(id); !removed) {
        return tl::unexpected(error_of(removed.error()));
      }
    }
    if (state_.status == workspace_status::deleting) return remove("recovery");
    if (state_.status != workspace_status::running) return {};
    auto running = container_running(state_);
    if (!running) return tl::unexpected(error_of(running.error()));
    if (*running) return {};
    const bool exists =
        std::find(containers->begin(), containers->end(), state_.container_id) != containers->end();
    return record(cmd::record_container_lost{state_.container_id, exists ? "died" : "removed", 0});
  }

  command_result<void> idle_check() {
    const auto deadline = idle_deadline_ms(state_);
    if (!deadline || *deadline > context_.now_ms()) return {};
    return stop("idle");
  }

  const workspace_state& state() const { return state_; }
  std::int64_t last_position() const { return last_position_; }

 private:
  command_result<void> append(const std::vector<workspace_event_variant>& decided) {
    events::append_request request;
    request.stream_id = stream_of(state_.id);
    request.expected_version = state_.version;
    const auto metadata = metadata_of(context_, origin_);
    for (const auto& event : decided) {
      auto encoded = encode(event);
      request.events.push_back({events::make_uuid_v7(),
                                std::move(encoded.type),
                                1,
                                std::move(encoded.data),
                                {},
                                metadata});
    }
    auto appended = context_.store.append(std::move(request));
    if (!appended) return tl::unexpected(error_of(appended.error()));
    for (const auto& event : decided)
      state_ = evolve(std::move(state_), event);
    state_.version = appended->last_version;
    if (!appended->global_positions.empty()) last_position_ = appended->global_positions.back();
    return {};
  }

  workspace_context& context_;
  workspace_state state_;
  command_origin origin_;
  std::int64_t last_position_ = 0;
};

}  // namespace

namespace {

/// Events per stream read with a batch; a longer tail is folded on from the store in pages.
constexpr std::size_t batch_events_per_stream = 256;

/// Folds one stream's tail (and whatever follows it) into a state.
command_result<workspace_state> fold_tail(workspace_context& context,
                                          const std::string& workspace_id,
                                          const events::stream_tail& tail) {
  workspace_state state;
  if (tail.snapshot) {
    if (auto decoded = decode_snapshot(tail.snapshot->state)) state = std::move(*decoded);
  }
  std::int64_t folded = 0;
  std::optional<command_error> undecodable;
  const auto fold = [&](const events::recorded_event& event) {
    if (undecodable) return;
    auto decoded = decode_workspace_event(event.type, event.data);
    if (!decoded) {
      undecodable =
          command_error{command_error::kind::internal,
                        "undecodable event " + event.type + " at version " +
                            std::to_string(event.stream_version) + " of " + tail.stream_id};
      return;
    }
    state = evolve(std::move(state), *decoded);
    state.version = event.stream_version;
    ++folded;
  };
  // A snapshot that does not decode (older or broken) counts for nothing: fold from the
  // start. Otherwise the events the batch read follow it directly.
  const bool snapshot_used = !tail.snapshot || state.version == tail.snapshot->stream_version;
  if (snapshot_used) {
    for (const auto& event : tail.events)
      fold(event);
  }
  if (!snapshot_used || tail.events.size() >= batch_events_per_stream) {
    auto rest = context.store.fold_stream(tail.stream_id, state.version + 1, fold);
    if (!rest) return tl::unexpected(error_of(rest.error()));
  }
  if (undecodable) return tl::unexpected(*undecodable);
  if (state.id.empty()) state.id = workspace_id;
  if (context.use_snapshots && folded >= context.snapshot_every) {
    // A failed snapshot only costs the next recovery time; the events stay the truth.
    (void)context.store.save_snapshot(
        {tail.stream_id, state.version, workspace_snapshot_version, encode_snapshot(state)});
  }
  return state;
}

}  // namespace

std::vector<command_result<workspace_state>> load_workspaces(
    workspace_context& context, const std::vector<std::string>& workspace_ids) {
  std::vector<std::string> streams;
  streams.reserve(workspace_ids.size());
  for (const auto& id : workspace_ids)
    streams.push_back(stream_of(id));
  auto tails = context.store.read_stream_tails(
      streams,
      context.use_snapshots ? std::optional<int>(workspace_snapshot_version) : std::nullopt,
      batch_events_per_stream);
  std::vector<command_result<workspace_state>> states;
  states.reserve(workspace_ids.size());
  for (std::size_t i = 0; i < workspace_ids.size(); ++i) {
    if (!tails) {
      states.emplace_back(tl::unexpected(error_of(tails.error())));
    } else {
      states.push_back(fold_tail(context, workspace_ids[i], (*tails)[i]));
    }
  }
  return states;
}

command_result<workspace_state> load_workspace(workspace_context& context,
                                               const std::string& workspace_id) {
  return std::move(load_workspaces(context, {workspace_id}).front());
}

std::string_view action_name(workspace_action action) {
  switch (action) {
    case workspace_action::get:
      return "get";
    case workspace_action::create:
      return "create";
    case workspace_action::rename:
      return "rename";
    case workspace_action::set_star:
      return "set_star";
    case workspace_action::start:
      return "start";
    case workspace_action::stop:
      return "stop";
    case workspace_action::restart:
      return "restart";
    case workspace_action::ensure:
      return "ensure";
    case workspace_action::remove:
      return "remove";
    case workspace_action::touch:
      return "touch";
    case workspace_action::container_lost:
      return "container_lost";
    case workspace_action::idle_check:
      return "idle_check";
    case workspace_action::reconcile:
      return "reconcile";
  }
  return "unknown";
}

operation_result execute(workspace_context& context, workspace_state state,
                         const workspace_request& request) {
  // The command's span, child of the caller's (the HTTP request's): the event-store and
  // Docker calls below run on this thread and become its children.
  telemetry::span handling("berth.actors", "workspace " + std::string(action_name(request.action)),
                           telemetry::span_kind::internal, request.origin.trace);
  handling.set("workspace.id", state.id.empty() ? request.create.workspace_id : state.id);
  workspace_runner runner(context, std::move(state), request.origin);
  command_result<void> done;
  switch (request.action) {
    case workspace_action::get:
      if (runner.state().status == workspace_status::none) {
        done = tl::unexpected(command_error{command_error::kind::not_found, "no such workspace"});
      }
      break;
    case workspace_action::create: {
      auto command = request.create;
      command.now_ms = context.now_ms();
      done = runner.record(command);
      if (done && request.start_after_create) {
        done = runner.ensure("user");
      } else if (done) {
        done = runner.record(cmd::record_stopped{"user", context.now_ms()});
      }
      break;
    }
    case workspace_action::rename:
      done = runner.record(cmd::rename{request.name});
      break;
    case workspace_action::set_star:
      done = runner.record(cmd::set_star{request.starred});
      break;
    case workspace_action::start:
      if (runner.state().status != workspace_status::running)
        done = runner.ensure(request.reason);
      else if (auto plan = plan_start(runner.state()); !plan)
        done = tl::unexpected(error_of(plan.error()));
      break;
    case workspace_action::stop:
      done = runner.stop(request.reason);
      break;
    case workspace_action::restart:
      done = runner.stop(request.reason);
      if (done) done = runner.ensure(request.reason);
      break;
    case workspace_action::ensure:
      done = runner.ensure(request.reason);
      break;
    case workspace_action::remove:
      done = runner.remove(request.reason);
      break;
    case workspace_action::touch:
      done = runner.record(cmd::record_activity{context.now_ms()});
      break;
    case workspace_action::container_lost:
      done = runner.container_lost(request);
      break;
    case workspace_action::idle_check:
      done = runner.idle_check();
      break;
    case workspace_action::reconcile:
      done = runner.reconcile();
      break;
  }
  operation_result result{runner.state(), {}};
  if (!done) handling.set_error(done.error().message);
  if (done) {
    result.outcome = workspace_reply{runner.state(), runner.last_position()};
  } else {
    result.outcome = tl::unexpected(done.error());
  }
  return result;
}

}  // namespace berth::actors
