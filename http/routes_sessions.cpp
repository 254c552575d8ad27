// /api/workspaces/{id}/sessions...: open, list and close terminal sessions, and the terminal
// WebSocket. Authentication, ownership, the session's workspace and the Origin are all checked
// before the upgrade, so a refused client gets plain HTTP 401/403/404 (docs/protocol.md).

#include <boost/json.hpp>

#include "actors/session_state.hpp"
#include "events/uuid.hpp"
#include "http/api.hpp"
#include "http/credential_watch.hpp"
#include "http/flow_control.hpp"
#include "http/request_guard.hpp"
#include "http/terminal_protocol.hpp"

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

/// One terminal WebSocket: the session's client, and the parser of what the browser sends.
/// While open it is watched (when a watch is given), which closes it once the credentials it
/// was opened with are revoked.
class terminal_socket : public actors::session_client,
                        public std::enable_shared_from_this<terminal_socket> {
 public:
  terminal_socket(actors::session_service& sessions, std::string session_id,
                  actors::session_caller caller, std::optional<std::int64_t> from,
                  credential_watch* watch, accounts::principal who, std::string credential)
      : sessions_(sessions),
        session_id_(std::move(session_id)),
        client_id_(events::make_uuid_v7()),
        caller_(std::move(caller)),
        from_(from),
        limiter_({}, [] { return std::chrono::steady_clock::now(); }),
        ack_limiter_({.rate = 2000, .burst = 4000},
                     [] { return std::chrono::steady_clock::now(); }),
        watch_(watch),
        who_(std::move(who)),
        credential_(std::move(credential)) {}

  bool send(std::string message, bool binary) override {
    auto channel = channel_of();
    return channel && channel->send(std::move(message), binary);
  }

  void close(std::uint16_t code, std::string reason) override {
    if (auto channel = channel_of()) channel->close(code, std::move(reason));
  }

  std::shared_ptr<websocket_handlers> handlers() {
    auto self = shared_from_this();
    auto out = std::make_shared<websocket_handlers>();
    out->on_open = [self](std::shared_ptr<websocket_channel> channel) {
      {
        std::lock_guard lock(self->mutex_);
        self->channel_ = std::move(channel);
      }
      self->start_watch();
      self->sessions_.attach(self->session_id_, self->client_id_, self, self->from_, self->caller_);
    };
    out->on_message = [self](std::string_view message, bool binary) {
      self->on_message(message, binary);
    };
    out->on_close = [self] {
      self->sessions_.detach(self->session_id_, self->client_id_);
      std::optional<std::uint64_t> watched;
      {
        std::lock_guard lock(self->mutex_);
        self->channel_.reset();  // breaks the cycle channel → handlers → socket → channel
        watched = std::exchange(self->watch_id_, std::nullopt);
      }
      if (watched) self->watch_->remove(*watched);
    };
    return out;
  }

 private:
  std::shared_ptr<websocket_channel> channel_of() {
    std::lock_guard lock(mutex_);
    return channel_;
  }

  /// Hands the credentials to the watch (on open, which runs once): the socket keeps no copy.
  void start_watch() {
    if (!watch_) return;
    // Weak: the watch must not keep a closed socket alive.
    std::weak_ptr<terminal_socket> weak = shared_from_this();
    const auto id = watch_->add({std::move(who_), std::move(credential_), [weak] {
                                   if (auto socket = weak.lock()) {
                                     socket->close(credentials_revoked_close_code,
                                                   std::string(credentials_revoked_reason));
                                   }
                                 }});
    std::lock_guard lock(mutex_);
    watch_id_ = id;
  }

  void on_message(std::string_view message, bool binary) {
    if (binary) {
      if (!limiter_.allow()) return refuse_rate();
      if (auto checked_input = check_client_input(message); !checked_input) {
        return refuse(checked_input.error());
      }
      return sessions_.input(session_id_, client_id_, std::string(message));
    }
    if (message.size() > max_client_text_size) {
      return refuse({protocol_error_code::frame_too_large, "control message too large"});
    }
    auto parsed = parse_client_text(message);
    // Acks have their own, larger budget: a client acks per frame when frames are large, and
    // that must not use up what typing and resizing may send. Refused frames count as others.
    const auto* ack = parsed ? std::get_if<ack_message>(&*parsed) : nullptr;
    if (!(ack ? ack_limiter_ : limiter_).allow()) return refuse_rate();
    if (!parsed) return refuse(parsed.error());
    if (ack) return sessions_.ack(session_id_, client_id_, ack->offset);
    if (const auto* resize = std::get_if<resize_message>(&*parsed)) {
      return sessions_.resize(session_id_, client_id_, resize->cols, resize->rows);
    }
    send(encode_server_message(pong_message{}), false);
  }

  void refuse_rate() { refuse({protocol_error_code::rate_limited, "more messages than allowed"}); }

  void refuse(const protocol_error& error) {
    send(encode_error(error), false);
    if (const auto code = close_code_after(error.code)) {
      close(*code, std::string(to_string(error.code)));
    }
  }

  actors::session_service& sessions_;
  std::string session_id_;
  std::string client_id_;
  actors::session_caller caller_;
  std::optional<std::int64_t> from_;
  message_rate_limiter limiter_;      ///< used on the connection's strand only
  message_rate_limiter ack_limiter_;  ///< acks only, likewise
  credential_watch* watch_;           ///< null: not watched
  accounts::principal who_;           ///< until handed to the watch
  std::string credential_;            ///< likewise
  std::mutex mutex_;
  std::shared_ptr<websocket_channel> channel_;
  std::optional<std::uint64_t> watch_id_;  ///< while watched
};

class session_routes {
 public:
  explicit session_routes(api_services& services)
      : accounts_(services.accounts),
        workspaces_(*services.workspaces),
        sessions_(*services.sessions),
        watch_(services.credentials) {}

  response open(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    auto body = parse_json_object(req, {"cols", "rows"});
    if (!body) return body.error();
    auto cols = optional_integer(*body, "cols", min_cols, max_cols);
    if (!cols) return cols.error();
    auto rows = optional_integer(*body, "rows", min_rows, max_rows);
    if (!rows) return rows.error();
    const auto& id = params.at("id");
    auto current = owned_workspace(workspaces_, *who, id);
    if (!current) return current.error();
    // A terminal in a stopped workspace starts it: the owner's running quota applies.
    if (current->state.status != actors::workspace_status::running) {
      if (auto refused = running_quota_refusal(accounts_, workspaces_, current->state.owner_id)) {
        return error_response_of(*refused);
      }
    }
    auto opened = sessions_.open(id, static_cast<int>(cols->value_or(80)),
                                 static_cast<int>(rows->value_or(24)), caller_of(*who, req));
    if (!opened) return error_response_of(opened.error());
    return json_response(201, session_json(*opened));
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
    auto found = session_of(*who, params);
    if (!found) return found.error();
    std::optional<std::int64_t> from;
    if (const auto text = query_value(req, "from")) {
      auto parsed = parse_resume_offset(*text);
      if (!parsed) return error_response(400, "bad_request", parsed.error().message);
      from = *parsed;
    }
    if (!req.websocket_upgrade) {
      return error_response(426, "upgrade_required", "this endpoint speaks WebSocket only");
    }
    auto socket =
        std::make_shared<terminal_socket>(sessions_, params.at("sid"), caller_of(*who, req), from,
                                          watch_, *who, credential_text_of(req, *who));
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
