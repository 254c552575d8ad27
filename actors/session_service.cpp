#include "actors/session_service.hpp"

#include "actors/keeper_hub.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "actors/session_actor.hpp"
#include "actors/session_state.hpp"
#include "actors/workspace_actor.hpp"
#include "events/connection_pool.hpp"
#include "events/uuid.hpp"

namespace berth::actors {
namespace {

/// Opening a shell waits for Docker and the keeper; a recovery for the log.
constexpr auto reply_timeout = std::chrono::minutes(2);

command_error database_error(const events::error& failure) {
  if (failure.code == events::error_code::dependency_unavailable) {
    return {command_error::kind::dependency_unavailable, "the database is unavailable"};
  }
  return {command_error::kind::internal, failure.message};
}

session_summary summary_of(const pqxx::row& row) {
  session_summary out;
  out.id = row["session_id"].as<std::string>();
  out.workspace_id = row["workspace_id"].as<std::string>();
  out.user_id = row["user_id"].as<std::string>();
  out.name = row["name"].as<std::string>();
  out.state = row["state"].as<std::string>();
  out.cols = row["cols"].as<int>();
  out.rows = row["rows"].as<int>();
  out.opened_ms = row["opened_ms"].as<std::int64_t>();
  out.closed_ms = row["closed_ms"].is_null() ? 0 : row["closed_ms"].as<std::int64_t>();
  out.output_bytes = row["output_bytes"].as<std::int64_t>();
  out.close_reason = row["close_reason"].is_null() ? "" : row["close_reason"].as<std::string>();
  if (!row["exit_status"].is_null()) out.exit_status = row["exit_status"].as<int>();
  return out;
}

/// Threads that feed the sessions' screen models (libvterm, the costliest step per output
/// byte). Off CAF's scheduler threads, which run every session's keystrokes and output in
/// turns CAF lets run to completion: here the kernel's scheduler shares the cores between a
/// flooded session's screen and everyone else's echo. Two, as this machine has cores.
constexpr std::size_t screen_threads = 2;

}  // namespace

struct session_service::impl {
  impl(events::event_store& store, workspace_service& workspaces_, session_options options)
      : workspaces(workspaces_),
        work(boost::asio::make_work_guard(io)),
        io_thread([this] { io.run(); }),
        context(std::make_shared<session_context>(
            session_context{store, workspaces_, std::move(options), io, workspaces_.blocking_pool(),
                            std::make_shared<keeper_hub>(io),
                            make_blocking_pool(workspaces_.actor_system(), screen_threads)})),
        directory(workspaces_.actor_system().spawn(session_directory, context)) {}

  ~impl() {
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(context->screen_pool, caf::exit_reason::user_shutdown);
    // Session actors drop their links as they exit; give them a moment before the links'
    // io_context goes.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    work.reset();
    io.stop();
    io_thread.join();
  }

  session_outcome ask(const std::string& session_id, session_request request) {
    // A session actor quitting with our request queued: ask its successor once.
    for (int attempt = 0;; ++attempt) {
      caf::scoped_actor self{workspaces.actor_system()};
      session_outcome outcome =
          tl::unexpected(command_error{command_error::kind::internal, "no reply"});
      bool receiver_gone = false;
      self->request(directory, reply_timeout, addressed_session{session_id, request})
          .receive([&](session_outcome& reply) { outcome = std::move(reply); },
                   [&](caf::error& problem) {
                     receiver_gone = problem == caf::sec::request_receiver_down;
                     outcome = tl::unexpected(command_error{
                         command_error::kind::internal,
                         "session actor: " + workspaces.actor_system().render(problem)});
                   });
      if (!receiver_gone || attempt == 1) return outcome;
    }
  }

  void tell(const std::string& session_id, session_request request) {
    caf::anon_send(directory, addressed_session{session_id, std::move(request)});
  }

  workspace_service& workspaces;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::thread io_thread;
  std::shared_ptr<session_context> context;
  caf::actor directory;
  events::connection_pool queries{context->options.database_url, 2};
};

session_service::session_service(events::event_store& store, workspace_service& workspaces,
                                 session_options options)
    : impl_(std::make_unique<impl>(store, workspaces, std::move(options))) {}

session_service::~session_service() = default;

command_result<std::size_t> session_service::recover() {
  // A session is open when the last event of its stream, renames aside (a closed session may
  // be renamed), is not SessionClosed. The index on (stream_id, stream_version) is read
  // backwards from the end, so this costs a row or two per session, not its whole stream.
  auto open = impl_->queries.run([](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    std::vector<std::string> ids;
    for (const auto& row :
         query.exec("SELECT s.stream_id FROM es_streams s WHERE s.stream_type = 'session' AND "
                    "(SELECT e.event_type FROM es_events e WHERE e.stream_id = s.stream_id AND "
                    "e.event_type <> 'SessionRenamed' ORDER BY e.stream_version DESC LIMIT 1) <> "
                    "'SessionClosed'")) {
      ids.push_back(row[0].as<std::string>().substr(std::string_view("session-").size()));
    }
    return ids;
  });
  if (!open) return tl::unexpected(database_error(open.error()));
  const auto count = open->size();
  caf::anon_send(impl_->directory, recover_sessions{std::move(*open)});
  return count;
}

command_result<session_summary> session_service::open(const std::string& workspace_id, int cols,
                                                      int rows, const session_caller& caller) {
  // Ensured on the caller's thread: the pool's threads never wait for a workspace actor.
  auto running = impl_->workspaces.ensure(
      workspace_id, {caller.user_id, caller.remote_address, caller.trace_id, caller.trace});
  if (!running) return tl::unexpected(running.error());
  open_session open{events::make_uuid_v7(), workspace_id, cols, rows, caller};
  caf::scoped_actor self{impl_->workspaces.actor_system()};
  session_outcome outcome =
      tl::unexpected(command_error{command_error::kind::internal, "no reply"});
  self->request(impl_->directory, reply_timeout, open_request_for_directory{std::move(open)})
      .receive([&](session_outcome& reply) { outcome = std::move(reply); },
               [&](caf::error& problem) {
                 outcome = tl::unexpected(command_error{
                     command_error::kind::internal,
                     "session directory: " + impl_->workspaces.actor_system().render(problem)});
               });
  return outcome;
}

command_result<std::vector<session_summary>> session_service::list(
    const std::string& workspace_id) {
  auto rows = impl_->queries.run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    std::vector<session_summary> found;
    for (const auto& row : query.exec_params(
             "SELECT * FROM rm_sessions WHERE workspace_id = $1 ORDER BY opened_ms DESC, "
             "session_id",
             workspace_id)) {
      found.push_back(summary_of(row));
    }
    return found;
  });
  if (!rows) return tl::unexpected(database_error(rows.error()));
  return std::move(*rows);
}

command_result<bool> session_service::projected_in(const std::string& workspace_id,
                                                   const std::string& session_id) {
  const command_error not_found{command_error::kind::not_found, "no such session"};
  if (!events::is_uuid(session_id)) return tl::unexpected(not_found);
  auto owner = impl_->queries.run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    const auto rows =
        query.exec_params("SELECT workspace_id FROM rm_sessions WHERE session_id = $1", session_id);
    return rows.empty() ? std::optional<std::string>{} : rows[0][0].as<std::string>();
  });
  if (!owner) return tl::unexpected(database_error(owner.error()));
  if (*owner && **owner != workspace_id) return tl::unexpected(not_found);
  return owner->has_value();
}

command_result<session_summary> session_service::ask_in(const std::string& workspace_id,
                                                        const std::string& session_id) {
  auto found = impl_->ask(session_id, get_session{});
  if (found && found->workspace_id != workspace_id) {
    return tl::unexpected(command_error{command_error::kind::not_found, "no such session"});
  }
  return found;
}

command_result<session_summary> session_service::get(const std::string& workspace_id,
                                                     const std::string& session_id) {
  // The read model first: a session of another workspace is refused without waking (and
  // folding the stream of) its actor.
  if (auto projected = projected_in(workspace_id, session_id); !projected) {
    return tl::unexpected(projected.error());
  }
  return ask_in(workspace_id, session_id);
}

command_result<void> session_service::check(const std::string& workspace_id,
                                            const std::string& session_id) {
  auto projected = projected_in(workspace_id, session_id);
  if (!projected) return tl::unexpected(projected.error());
  if (*projected) return {};
  auto found = ask_in(workspace_id, session_id);  // not projected yet
  if (!found) return tl::unexpected(found.error());
  return {};
}

command_result<session_summary> session_service::rename(const std::string& workspace_id,
                                                        const std::string& session_id,
                                                        const std::string& name,
                                                        const session_caller& caller) {
  if (auto problem = session_name_problem(name); !problem.empty()) {
    return tl::unexpected(command_error{command_error::kind::invalid, std::move(problem)});
  }
  auto found = get(workspace_id, session_id);
  if (!found) return found;
  return impl_->ask(session_id, rename_session{name, caller});
}

command_result<session_summary> session_service::close(const std::string& workspace_id,
                                                       const std::string& session_id,
                                                       const session_caller& caller) {
  auto found = get(workspace_id, session_id);
  if (!found) return found;
  return impl_->ask(session_id, close_session{caller});
}

void session_service::attach(const std::string& session_id, const std::string& client_id,
                             std::shared_ptr<terminal::client> client,
                             std::optional<std::int64_t> from, const session_caller& caller) {
  impl_->tell(session_id, attach_client{client_id, std::move(client), from, caller});
}

void session_service::detach(const std::string& session_id, const std::string& client_id) {
  impl_->tell(session_id, detach_client{client_id});
}

void session_service::input(const std::string& session_id, const std::string& client_id,
                            std::string bytes) {
  impl_->tell(session_id, client_input{client_id, std::move(bytes)});
}

void session_service::resize(const std::string& session_id, const std::string& client_id, int cols,
                             int rows) {
  impl_->tell(session_id, client_resize{client_id, cols, rows});
}

void session_service::ack(const std::string& session_id, const std::string& client_id,
                          std::int64_t offset) {
  impl_->tell(session_id, client_ack{client_id, offset});
}

}  // namespace berth::actors
