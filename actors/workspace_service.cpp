#include "actors/workspace_service.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <unistd.h>

#include <pqxx/pqxx>

#include "actors/docker_watcher.hpp"
#include "actors/workspace_actor.hpp"
#include "docker/client.hpp"
#include "docker/export_archive.hpp"
#include "docker/workspace_container.hpp"
#include "events/connection_pool.hpp"
#include "events/event_store.hpp"
#include "telemetry/log.hpp"

namespace berth::actors {
namespace {

/// A Docker create + start, or a stop with its grace period, fits well inside this.
constexpr auto reply_timeout = std::chrono::minutes(5);

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

command_error database_error(const events::error& failure) {
  if (failure.code == events::error_code::dependency_unavailable) {
    return {command_error::kind::dependency_unavailable, "the database is unavailable"};
  }
  return {command_error::kind::internal, failure.message};
}

caf::actor_system_config& configure(caf::actor_system_config& config, int scheduler_threads) {
  config.set("scheduler.max-threads", static_cast<std::size_t>(scheduler_threads));
  // The sharing policy wakes a worker when a message arrives; work stealing polls, and once
  // idle sleeps 10 ms between polls, so a keystroke from a WebSocket could wait that long.
  config.set("scheduler.policy", caf::atom("sharing"));
  config.set("logger.file-verbosity", caf::atom("quiet"));
  config.set("logger.console-verbosity", caf::atom("quiet"));
  return config;
}

}  // namespace

/// Quota-checked changes (creates, starts) that may run at once, across owners: each holds a
/// connection for its lock while Docker works, so a burst of them waits here instead of
/// taking every connection from the queries the lists need.
constexpr std::size_t owner_lock_connections = 8;
/// Longest wait for an owner's lock: a change stuck behind another is refused, not piled up.
constexpr std::string_view owner_lock_timeout = "10s";

struct workspace_service::impl {
  impl(events::event_store& store_, workspace_runtime_options opts)
      : store(store_),
        options(std::move(opts)),
        system(configure(config, options.scheduler_threads)),
        queries(options.database_url, 4),
        owner_locks(options.database_url, owner_lock_connections) {}

  events::event_store& store;
  workspace_runtime_options options;
  caf::actor_system_config config;
  caf::actor_system system;
  events::connection_pool queries;
  events::connection_pool owner_locks;  ///< one per running with_owner_lock
  std::shared_ptr<workspace_context> context;
  caf::actor pool;
  caf::actor loader;
  caf::actor directory;
  std::function<void(std::int64_t)> read_model_waiter;
  std::unique_ptr<docker_watcher> watcher;
  std::jthread idle_sweeper;

  workspace_outcome ask(const std::string& workspace_id, const workspace_request& request) {
    // A passivating actor may quit with our request in its mailbox: ask its successor once.
    for (int attempt = 0;; ++attempt) {
      caf::scoped_actor self{system};
      workspace_outcome outcome =
          tl::unexpected(command_error{command_error::kind::internal, "no reply"});
      bool receiver_gone = false;
      self->request(directory, reply_timeout, addressed_request{workspace_id, request})
          .receive(
              [&](workspace_outcome& reply) { outcome = std::move(reply); },
              [&](caf::error& problem) {
                receiver_gone = problem == caf::sec::request_receiver_down;
                outcome = tl::unexpected(command_error{
                    command_error::kind::internal, "workspace actor: " + system.render(problem)});
              });
      if (!receiver_gone || attempt == 1) return outcome;
    }
  }

  void tell(const std::string& workspace_id, workspace_request request) {
    caf::anon_send(directory, addressed_request{workspace_id, std::move(request)});
  }

  void sweep_idle(std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, options.idle_sweep_interval, [] { return false; });
      }
      if (stop.stop_requested()) return;
      auto due = queries.run([](pqxx::connection& connection) {
        pqxx::nontransaction query(connection);
        std::vector<std::string> ids;
        for (const auto& row : query.exec_params(
                 "SELECT workspace_id FROM rm_workspaces WHERE state = 'running' AND "
                 "idle_timeout_s > 0 AND last_activity_ms + idle_timeout_s * 1000 <= $1",
                 now_ms())) {
          ids.push_back(row[0].as<std::string>());
        }
        return ids;
      });
      if (!due) {
        telemetry::log(telemetry::level::warn, "actors.idle", "idle sweep failed",
                       {{"error", std::string_view(due.error().message)}});
        continue;  // the database is away: try again at the next sweep
      }
      if (!due->empty()) {
        telemetry::log(telemetry::level::debug, "actors.idle", "idle workspaces due",
                       {{"count", static_cast<std::int64_t>(due->size())}});
      }
      for (const auto& id : *due) {
        workspace_request request;
        request.action = workspace_action::idle_check;
        tell(id, request);
      }
    }
  }
};

workspace_service::workspace_service(events::event_store& store, workspace_runtime_options options)
    : impl_(std::make_unique<impl>(store, std::move(options))) {
  auto keeper = std::make_shared<docker::keeper_binary>();
  if (!impl_->options.keeper_binary.empty()) {
    if (auto loaded = docker::load_keeper_binary(impl_->options.keeper_binary)) {
      *keeper = std::move(*loaded);
    }
  }
  impl_->context = std::make_shared<workspace_context>(
      workspace_context{store, keeper, impl_->options.environment, impl_->options.instance, now_ms,
                        host_name(), impl_->options.snapshot_every, impl_->options.use_snapshots});
  auto& system = impl_->system;
  impl_->pool =
      make_blocking_pool(system, static_cast<std::size_t>(impl_->options.blocking_threads));
  // Detached: it blocks on the event store while the next batch gathers in its mailbox.
  impl_->loader = system.spawn<workspace_loader, caf::detached>(impl_->context);
  impl_->directory =
      system.spawn(workspace_directory, impl_->context,
                   workspace_actors{impl_->pool, impl_->loader}, impl_->options.passivate_after);
}

workspace_service::~workspace_service() {
  impl_->idle_sweeper = {};
  impl_->watcher.reset();
  caf::anon_send_exit(impl_->directory, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(impl_->loader, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(impl_->pool, caf::exit_reason::user_shutdown);
}

command_result<std::string> workspace_service::start_background_work() {
  if (impl_->context->keeper->content.empty()) {
    return tl::unexpected(
        command_error{command_error::kind::invalid,
                      "cannot read the keeper binary `" + impl_->options.keeper_binary + "`"});
  }
  // Workspaces that Docker may disagree about: every one with a container of this instance,
  // and every one the read model calls running or deleting.
  auto candidates = impl_->queries.run([](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    std::vector<std::string> ids;
    for (const auto& row : query.exec(
             "SELECT workspace_id FROM rm_workspaces WHERE state IN ('running', 'deleting')")) {
      ids.push_back(row[0].as<std::string>());
    }
    return ids;
  });
  if (!candidates) return tl::unexpected(database_error(candidates.error()));
  impl_->watcher = std::make_unique<docker_watcher>(
      impl_->options.instance, *candidates,
      [this](const std::string& workspace_id, workspace_request request) {
        impl_->tell(workspace_id, std::move(request));
      });
  impl_->idle_sweeper = std::jthread([this](std::stop_token stop) { impl_->sweep_idle(stop); });
  return "watching Docker events; reconciling " + std::to_string(candidates->size()) +
         " workspaces from the read model and every container of instance `" +
         impl_->options.instance + "`";
}

command_result<workspace_reply> workspace_service::create(workspace_command::create command,
                                                          bool start,
                                                          const command_origin& origin) {
  workspace_request request;
  request.action = workspace_action::create;
  request.start_after_create = start;
  request.create = std::move(command);
  request.origin = origin;
  return impl_->ask(request.create.workspace_id, request);
}

namespace {
workspace_request simple_request(workspace_action action, const command_origin& origin) {
  workspace_request request;
  request.action = action;
  request.origin = origin;
  return request;
}
}  // namespace

command_result<workspace_reply> workspace_service::get(const std::string& workspace_id) {
  return impl_->ask(workspace_id, simple_request(workspace_action::get, {}));
}

command_result<workspace_reply> workspace_service::rename(const std::string& workspace_id,
                                                          std::string name,
                                                          const command_origin& origin) {
  auto request = simple_request(workspace_action::rename, origin);
  request.name = std::move(name);
  return impl_->ask(workspace_id, request);
}

command_result<workspace_reply> workspace_service::set_star(const std::string& workspace_id,
                                                            bool starred,
                                                            const command_origin& origin) {
  auto request = simple_request(workspace_action::set_star, origin);
  request.starred = starred;
  return impl_->ask(workspace_id, request);
}

command_result<workspace_reply> workspace_service::start(const std::string& workspace_id,
                                                         const command_origin& origin) {
  return impl_->ask(workspace_id, simple_request(workspace_action::start, origin));
}

command_result<workspace_reply> workspace_service::stop(const std::string& workspace_id,
                                                        const command_origin& origin) {
  return impl_->ask(workspace_id, simple_request(workspace_action::stop, origin));
}

command_result<workspace_reply> workspace_service::restart(const std::string& workspace_id,
                                                           const command_origin& origin) {
  return impl_->ask(workspace_id, simple_request(workspace_action::restart, origin));
}

command_result<workspace_reply> workspace_service::ensure(const std::string& workspace_id,
                                                          const command_origin& origin) {
  auto request = simple_request(workspace_action::ensure, origin);
  request.reason = "recovery";
  return impl_->ask(workspace_id, request);
}

command_result<workspace_reply> workspace_service::remove(const std::string& workspace_id,
                                                          const command_origin& origin) {
  return impl_->ask(workspace_id, simple_request(workspace_action::remove, origin));
}

void workspace_service::touch(const std::string& workspace_id) {
  impl_->tell(workspace_id, simple_request(workspace_action::touch, {}));
}

command_result<std::vector<workspace_summary>> workspace_service::list(
    const std::string& owner_id) {
  auto rows = impl_->queries.run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    std::vector<workspace_summary> found;
    // Two statements, each prepared once per connection: one plan per shape of the filter
    // (an owner's list follows rm_workspaces_by_owner; everyone's reads the whole table).
    static const std::string columns =
        "SELECT workspace_id, owner_id, name, starred, state, coalesce(state_reason, ''), "
        "template_id, image, (limits->>'memory_bytes')::bigint, (limits->>'nano_cpus')::bigint, "
        "(limits->>'pids')::bigint, idle_timeout_s, created_ms, last_activity_ms, "
        "coalesce(last_error, '') FROM rm_workspaces WHERE state <> 'deleted' ";
    static const std::string order = " ORDER BY starred DESC, name, workspace_id";
    const auto result =
        owner_id.empty() ? events::exec_prepared(query, "list_workspaces", columns + order)
                         : events::exec_prepared(query, "list_owner_workspaces",
                                                 columns + "AND owner_id = $1" + order, owner_id);
    for (const auto& row : result) {
      workspace_summary summary;
      summary.id = row[0].as<std::string>();
      summary.owner_id = row[1].as<std::string>();
      summary.name = row[2].as<std::string>();
      summary.starred = row[3].as<bool>();
      summary.state = row[4].as<std::string>();
      summary.state_reason = row[5].as<std::string>();
      summary.template_id = row[6].as<std::string>();
      summary.image = row[7].as<std::string>();
      summary.limits = {row[8].as<std::int64_t>(), row[9].as<std::int64_t>(),
                        row[10].as<std::int64_t>()};
      summary.idle_timeout_s = row[11].as<std::int64_t>();
      summary.created_ms = row[12].as<std::int64_t>();
      summary.last_activity_ms = row[13].as<std::int64_t>();
      summary.last_error = row[14].as<std::string>();
      found.push_back(std::move(summary));
    }
    return found;
  });
  if (!rows) return tl::unexpected(database_error(rows.error()));
  return std::move(*rows);
}

command_result<workspace_service::usage> workspace_service::usage_of(const std::string& owner_id) {
  auto counted = impl_->queries.run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    const auto row = query.exec_params1(
        "SELECT count(*) FILTER (WHERE state NOT IN ('deleting', 'deleted')), "
        "count(*) FILTER (WHERE state = 'running') FROM rm_workspaces WHERE owner_id = $1",
        owner_id);
    return usage{row[0].as<std::int64_t>(), row[1].as<std::int64_t>()};
  });
  if (!counted) return tl::unexpected(database_error(counted.error()));
  return *counted;
}

command_result<void> workspace_service::with_owner_lock(const std::string& owner_id,
                                                        const std::function<void()>& work) {
  bool ran = false;
  auto held = impl_->owner_locks.run([&](pqxx::connection& connection) {
    // A transaction lock ends with the transaction, whatever happens meanwhile (even the
    // session being ended by idle_in_transaction_session_timeout). It takes no transaction
    // id, so the gap-safe feed's snapshot horizon does not wait for it.
    pqxx::work lock(connection);
    lock.exec("SET LOCAL lock_timeout = '" + std::string(owner_lock_timeout) + "'");
    lock.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                     "berth.quota/" + owner_id);
    ran = true;
    work();
    lock.commit();
  });
  if (held || ran) {
    // Once `work` ran, a failed commit only means the lock ended another way.
    return {};
  }
  return tl::unexpected(
      command_error{command_error::kind::dependency_unavailable,
                    "cannot serialise the owner's changes: " + held.error().message});
}

command_result<void> workspace_service::export_workspace(
    const std::string& workspace_id, const std::function<bool(std::string_view)>& write) {
  auto current = get(workspace_id);
  if (!current) return tl::unexpected(current.error());
  if (current->state.container_id.empty()) {
    return tl::unexpected(command_error{command_error::kind::conflict,
                                        "the workspace has no container yet: start it first"});
  }
  auto docker = docker::client::connect();
  if (!docker) {
    return tl::unexpected(command_error{command_error::kind::dependency_unavailable,
                                        "Docker is unavailable: " + docker.error().message});
  }
  auto exported = docker::export_tar_gz(*docker, current->state.container_id, "/workspace", write);
  if (!exported) {
    if (exported.error().code == docker::error_code::not_found) {
      return tl::unexpected(command_error{command_error::kind::conflict,
                                          "the container is gone: ensure the workspace first"});
    }
    return tl::unexpected(command_error{command_error::kind::internal,
                                        "export failed: " + docker::describe(exported.error())});
  }
  return {};
}

void workspace_service::wait_for_read_models(std::int64_t global_position) {
  if (global_position > 0 && impl_->read_model_waiter) impl_->read_model_waiter(global_position);
}

void workspace_service::set_read_model_waiter(std::function<void(std::int64_t)> waiter) {
  impl_->read_model_waiter = std::move(waiter);
}

caf::actor_system& workspace_service::actor_system() {
  return impl_->system;
}

const caf::actor& workspace_service::blocking_pool() const {
  return impl_->pool;
}

}  // namespace berth::actors
