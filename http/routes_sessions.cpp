// /api/workspaces/{id}/sessions...: open, list and close terminal sessions, and the terminal
// WebSocket. Authentication, ownership, the session's workspace and the Origin are all checked
// before the upgrade, so a refused client gets plain HTTP 401/403/404 (docs/protocol.md).

#include <boost/json.hpp>

#include "actors/session_state.hpp"
#include "http/api.hpp"
#include "http/credential_watch.hpp"
#include "http/request_guard.hpp"
#include "http/terminal_socket.hpp"
#include "terminal/protocol.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;

json::object session_json(const actors::session_summary& session) {
  json::object out{{"id", session.id},
                   {"workspace_id", session.workspace_id},
                   {"user_id", session.user_id},
                   {"name", session.name},
                   {"state", session.state},
                   {"cols", session.cols},
                   {"rows", session.rows},
                   {"opened_ms", session.opened_ms},
                   {"output_bytes", session.output_bytes}};
  if (session.state == "closed") {
    out["close_reason"] = session.close_reason;
    out["closed_ms"] = session.closed_ms;
    out["exit_status"] = session.exit_status ? json::value(*session.exit_status) : nullptr;
  }
  return out;
}

actors::session_caller caller_of(const accounts::principal& who, const request& req) {
  const auto origin = command_origin_of(who, req);
  return {origin.actor_id, origin.remote_address, origin.trace_id, origin.trace};
}

class session_routes {
 public:
  explicit session_routes(api_services& services)
      : accounts_(services.accounts),
        workspaces_(*services.workspaces),
        sessions_(*services.sessions),
        watch_(services.credentials),
        terminals_(services.terminals) {}

  response open(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    auto body = parse_json_object(req, {"cols", "rows"});
    if (!body) return body.error();
    auto cols = optional_integer(*body, "cols", terminal::min_cols, terminal::max_cols);
    if (!cols) return cols.error();
    auto rows = optional_integer(*body, "rows", terminal::min_rows, terminal::max_rows);
    if (!rows) return rows.error();
    const auto& id = params.at("id");
    auto current = owned_workspace(workspaces_, *who, id);
    if (!current) return current.error();
    // A terminal in a stopped workspace starts it: the owner's running quota applies.
    if (current->state.status != actors::workspace_status::running) {
      if (auto refused = start_within_quota(id, current->state.owner_id, *who, req)) {
        return error_response_of(*refused);
      }
    }
    auto opened = sessions_.open(id, static_cast<int>(cols->value_or(80)),
                                 static_cast<int>(rows->value_or(24)), caller_of(*who, req));
    if (!opened) return error_response_of(opened.error());
    return json_response(201, session_json(*opened));
  }

  /// Starts a stopped workspace for a terminal, the quota check and the start under the
  /// owner's lock as the lifecycle routes do, so parallel opens cannot all pass the check.
  std::optional<actors::command_error> start_within_quota(const std::string& id,
                                                          const std::string& owner_id,
                                                          const accounts::principal& who,
                                                          const request& req) {
    std::optional<actors::command_error> refused;
    auto locked = workspaces_.with_owner_lock(owner_id, [&] {
      // A parallel open or start may have won the lock first: then it runs and counts once.
      if (auto now = workspaces_.get(id);
          now && now->state.status == actors::workspace_status::running) {
        return;
      }
      if ((refused = running_quota_refusal(accounts_, workspaces_, owner_id))) return;
      auto started = workspaces_.ensure(id, command_origin_of(who, req));
      if (!started) {
        refused = started.error();
        return;
      }
      workspaces_.wait_for_read_models(started->global_position);
    });
    if (!locked) return locked.error();
    return refused;
  }

  response list(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    const auto& id = params.at("id");
    if (auto current = owned_workspace(workspaces_, *who, id); !current) return current.error();
    auto found = sessions_.list(id);
    if (!found) return error_response_of(found.error());
    json::array rows;
    for (const auto& session : *found)
      rows.push_back(session_json(session));
    return json_response(200, json::object{{"sessions", std::move(rows)}});
  }

  response get(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    auto found = session_of(*who, params);
    if (!found) return found.error();
    return json_response(200, session_json(*found));
  }

  response rename(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    auto body = parse_json_object(req, {"name"});
    if (!body) return body.error();
    // Bytes bound the parse; the service counts characters (at most 4 bytes each).
    auto name = required_string(*body, "name", 4 * actors::max_session_name_length);
    if (!name) return name.error();
    auto found = session_of(*who, params);
    if (!found) return found.error();
    auto renamed = sessions_.rename(params.at("id"), params.at("sid"), *name, caller_of(*who, req));
    if (!renamed) return error_response_of(renamed.error());
    return json_response(200, session_json(*renamed));
  }

  response close(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    auto found = session_of(*who, params);
    if (!found) return found.error();
    auto closed = sessions_.close(params.at("id"), params.at("sid"), caller_of(*who, req));
    if (!closed) return error_response_of(closed.error());
    return json_response(200, session_json(*closed));
  }

  response connect(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    if (!origin_allowed(req)) {
      return error_response(403, "origin_not_allowed",
                            "WebSocket connections are accepted from this server's pages only");
    }
    // Not through the session actor: one that is recovering would hold the upgrade until
    // it is done, and the client could not be told why it waits.
    if (auto current = owned_workspace(workspaces_, *who, params.at("id")); !current) {
      return current.error();
    }
    if (auto found = sessions_.check(params.at("id"), params.at("sid")); !found) {
      return error_response_of(found.error());
    }
    std::optional<std::int64_t> from;
    if (const auto text = query_value(req, "from")) {
      auto parsed = terminal::parse_resume_offset(*text);
      if (!parsed) return error_response(400, "bad_request", parsed.error().message);
      from = *parsed;
    }
    if (!req.websocket_upgrade) {
      return error_response(426, "upgrade_required", "this endpoint speaks WebSocket only");
    }
    auto ticket = terminals_->enter(who->user_id);
    if (!ticket) {
      auto refused = error_response(
          429, "too_many_terminals",
          "you have " + std::to_string(terminals_->per_user()) +
              " terminals open already (the most at once); close one to open another");
      refused.headers.emplace_back("Retry-After", "5");
      return refused;
    }
    auto socket =
        std::make_shared<terminal_socket>(sessions_, params.at("sid"), caller_of(*who, req), from,
                                          watch_, *who, credential_text_of(req, *who), ticket);
    response accepted;
    accepted.websocket = socket->handlers();
    return accepted;
  }

 private:
  checked<actors::session_summary> session_of(const accounts::principal& who,
                                              const route_params& params) {
    const auto& id = params.at("id");
    if (auto current = owned_workspace(workspaces_, who, id); !current) {
      return tl::unexpected(current.error());
    }
    auto found = sessions_.get(id, params.at("sid"));
    if (!found) return tl::unexpected(error_response_of(found.error()));
    return std::move(*found);
  }

  accounts::account_service& accounts_;
  actors::workspace_service& workspaces_;
  actors::session_service& sessions_;
  credential_watch* watch_;  ///< null: open terminals are not watched
  std::shared_ptr<user_gate> terminals_;
};

}  // namespace

void add_session_routes(router& routes, api_services& services) {
  auto handlers = std::make_shared<session_routes>(services);
  const std::string base = "/api/workspaces/{id}/sessions";
  routes.add("POST", base, [handlers](const request& req, const route_params& p) {
    return handlers->open(req, p);
  });
  routes.add("GET", base, [handlers](const request& req, const route_params& p) {
    return handlers->list(req, p);
  });
  routes.add("GET", base + "/{sid}", [handlers](const request& req, const route_params& p) {
    return handlers->get(req, p);
  });
  routes.add("PATCH", base + "/{sid}", [handlers](const request& req, const route_params& p) {
    return handlers->rename(req, p);
  });
  routes.add("DELETE", base + "/{sid}", [handlers](const request& req, const route_params& p) {
    return handlers->close(req, p);
  });
  routes.add("GET", base + "/{sid}/ws", [handlers](const request& req, const route_params& p) {
    return handlers->connect(req, p);
  });
}

}  // namespace berth::http
