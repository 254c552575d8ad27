// Request handling of the keeper server: one on_x per request frame.

#include <signal.h>

#include <algorithm>

#include "docker/keeper/limits.hpp"
#include "docker/keeper/log.hpp"
#include "docker/keeper/pty_spawn.hpp"
#include "docker/keeper/server.hpp"

namespace berth::keeper {
namespace {

bool has_nul(std::string_view text) {
  return text.find('\0') != std::string_view::npos;
}

/// Why an open request cannot be run as given, or empty. Never quotes env values.
std::string invalid_open(const open_request& request) {
  if (!is_valid_session_id(request.session)) {
    return "session id must be 1 to 64 characters of [A-Za-z0-9_-]";
  }
  if (request.cols == 0 || request.rows == 0) return "cols and rows must be positive";
  if (has_nul(request.cwd)) return "cwd contains a NUL byte";
  for (std::size_t i = 0; i < request.env.size(); ++i) {
    const std::string& entry = request.env[i];
    const auto equals = entry.find('=');
    if (equals == 0 || equals == std::string::npos || has_nul(entry)) {
      return "env entry " + std::to_string(i) + " is not NAME=VALUE";
    }
  }
  for (const auto& argument : request.argv) {
    if (has_nul(argument)) return "argv contains a NUL byte";
  }
  return {};
}

}  // namespace

bool server::blocked(const connection& c) const {
  if (c.unsent() > limits::connection_reply_limit) return true;
  if (c.input_blocked_on.empty()) return false;
  auto found = sessions_.find(c.input_blocked_on);
  return found != sessions_.end() && found->second->pending_input.size() > limits::input_queue;
}

void server::process_requests(connection& c) {
  while (!c.closing && !c.dead && !blocked(c)) {
    c.input_blocked_on.clear();
    decode_step step = c.decoder.next();
    if (std::holds_alternative<need_more>(step)) return;
    if (auto* failure = std::get_if<decode_error>(&step)) {
      send_error(c, failure->code, "", failure->message);
      return;
    }
    parse_result parsed = parse_message(std::get<frame>(step));
    if (auto* failure = std::get_if<decode_error>(&parsed)) {
      send_error(c, failure->code, "", failure->message);
      return;
    }
    handle(c, std::get<message>(parsed));
  }
}

void server::handle(connection& c, const message& request) {
  if (auto* m = std::get_if<open_request>(&request)) return on_open(c, *m);
  if (auto* m = std::get_if<attach_request>(&request)) return on_attach(c, *m);
  if (auto* m = std::get_if<input_request>(&request)) return on_input(c, *m);
  if (auto* m = std::get_if<resize_request>(&request)) return on_resize(c, *m);
  if (auto* m = std::get_if<ack_request>(&request)) return on_ack(c, *m);
  if (std::holds_alternative<list_request>(request)) return on_list(c);
  if (auto* m = std::get_if<close_request>(&request)) return on_close(c, *m);
  if (auto* m = std::get_if<detach_request>(&request)) return on_detach(c, *m);
  // A keeper-to-client frame sent to the keeper: the peer does not speak this protocol.
  send_error(c, error_code::unknown_frame_type, "", "frame type is not a request");
}

void server::on_open(connection& c, const open_request& request) {
  if (const std::string problem = invalid_open(request); !problem.empty()) {
    return send_error(c, error_code::invalid_argument, request.session, problem);
  }
  if (sessions_.count(request.session) != 0) {
    return send_error(c, error_code::session_exists, request.session, "session already open");
  }
  if (sessions_.size() >= limits::max_sessions) {
    return send_error(c, error_code::limit_reached, request.session, "too many sessions");
  }
  spawn_request spawn;
  spawn.cols = request.cols;
  spawn.rows = request.rows;
  spawn.cwd = request.cwd.empty() ? "/workspace" : request.cwd;
  spawn.env = request.env;
  spawn.argv = request.argv;
  auto spawned = spawn_in_pty(spawn);
  if (auto* failure = std::get_if<spawn_failure>(&spawned)) {
    return send_error(c, error_code::spawn_failed, request.session, failure->message);
  }
  auto& process = std::get<spawned_process>(spawned);
  const pid_t pid = process.pid;
  sessions_.emplace(request.session,
                    std::make_unique<session>(request.session, pid, std::move(process.master),
                                              request.cols, request.rows, options_.journal_bytes));
  log_line("session " + request.session + " opened, pid " + std::to_string(pid));
  send(c, opened_reply{request.session, static_cast<std::uint32_t>(pid)});
}

void server::on_attach(connection& c, const attach_request& request) {
  session* s = find_session(c, request.session);
  if (s == nullptr) return;
  if (request.from > s->output.end()) {
    return send_error(c, error_code::offset_out_of_range, request.session,
                      "from " + std::to_string(request.from) + " is past the end " +
                          std::to_string(s->output.end()));
  }
  attachment* a = c.find_attachment(request.session);
  if (a == nullptr) {
    c.attachments.push_back({request.session});
    a = &c.attachments.back();
  }
  a->exit_sent = false;
  if (request.from < s->output.begin()) {
    a->cursor = s->output.begin();
    send(c, gap_reply{request.session, request.from, a->cursor});
  } else {
    a->cursor = request.from;
    send(c, attached_reply{request.session, request.from});
  }
}

void server::on_input(connection& c, const input_request& request) {
  session* s = find_session(c, request.session);
  if (s == nullptr) return;
  if (!s->accepts_input()) {
    return send_error(c, error_code::session_not_running, request.session,
                      "the session's process has ended");
  }
  s->pending_input.append(request.data);
  write_terminal(*s);
  // The shell reads slower than this client writes: take no more requests from it until the
  // queue drains (the frame just taken is kept, so nothing typed is lost).
  if (s->pending_input.size() > limits::input_queue) c.input_blocked_on = request.session;
}

void server::on_resize(connection& c, const resize_request& request) {
  session* s = find_session(c, request.session);
  if (s == nullptr) return;
  if (request.cols == 0 || request.rows == 0) {
    return send_error(c, error_code::invalid_argument, request.session,
                      "cols and rows must be positive");
  }
  if (!s->accepts_input()) {
    return send_error(c, error_code::session_not_running, request.session,
                      "the session's process has ended");
  }
  if (!set_window_size(s->master.get(), request.cols, request.rows)) {
    return send_error(c, error_code::io_error, request.session, "cannot set the terminal size");
  }
  s->cols = request.cols;
  s->rows = request.rows;
}

void server::on_ack(connection& c, const ack_request& request) {
  session* s = find_session(c, request.session);
  if (s == nullptr) return;
  if (!s->output.ack(request.offset)) {
    send_error(c, error_code::offset_out_of_range, request.session,
               "ack " + std::to_string(request.offset) + " is past the end " +
                   std::to_string(s->output.end()));
  }
}

void server::on_list(connection& c) {
  session_list_reply reply;
  for (const auto& [id, s] : sessions_) {
    session_info info;
    info.session = id;
    info.cols = s->cols;
    info.rows = s->rows;
    info.oldest = s->output.begin();
    info.end = s->output.end();
    info.acked = s->output.acked();
    info.state = s->state();
    if (s->status) info.status = *s->status;
    reply.sessions.push_back(std::move(info));
  }
  send(c, reply);
}

void server::on_close(connection& c, const close_request& request) {
  session* s = find_session(c, request.session);
  if (s == nullptr) return;
  auto& requesters = s->close_requesters;
  if (std::find(requesters.begin(), requesters.end(), c.id) == requesters.end()) {
    requesters.push_back(c.id);
  }
  if (s->status) return remove_session(request.session);
  if (s->closing) return;
  s->closing = true;
  // The shell leads its own session and process group; bash forwards SIGHUP to its jobs.
  ::kill(-s->pid, SIGHUP);
  s->kill_deadline = std::chrono::steady_clock::now() + options_.kill_after;
}

void server::on_detach(connection& c, const detach_request& request) {
  if (find_session(c, request.session) == nullptr) return;
  std::erase_if(c.attachments, [&](const attachment& a) { return a.session == request.session; });
  send(c, detached_reply{request.session});
}

session* server::find_session(connection& c, const std::string& id) {
  auto found = sessions_.find(id);
  if (found != sessions_.end()) return found->second.get();
  send_error(c, error_code::unknown_session, id, "no such session");
  return nullptr;
}

void server::send(connection& c, const message& reply) {
  append_message(c.out, reply);
}

void server::send_error(connection& c, error_code code, std::string session, std::string text) {
  send(c, error_reply{code, std::move(session), std::move(text)});
  if (is_fatal(code)) c.closing = true;
}

void server::remove_session(const std::string& id) {
  auto found = sessions_.find(id);
  if (found == sessions_.end()) return;
  const std::vector<std::uint64_t> requesters = found->second->close_requesters;
  for (auto& [connection_id, c] : connections_) {
    const bool attached = c->find_attachment(id) != nullptr;
    const bool asked =
        std::find(requesters.begin(), requesters.end(), connection_id) != requesters.end();
    if (attached || asked) {
      std::erase_if(c->attachments, [&](const attachment& a) { return a.session == id; });
      send(*c, closed_reply{id});
    }
    if (c->input_blocked_on == id) c->input_blocked_on.clear();
  }
  log_line("session " + id + " closed");
  // Closing the master hangs up the terminal for anything still holding it.
  sessions_.erase(found);
}

}  // namespace berth::keeper
