// /api/workspaces...: every route authenticates, then checks ownership against the
// workspace's own state (members: their own; auditors: read-only everything; admins: all).

#include <boost/json.hpp>

#include "events/uuid.hpp"
#include "http/api.hpp"
#include "http/json_body.hpp"
#include "http/json_writer.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;
using accounts::role;

/// A workspace as the API shows it: the list's row, or the summary of an actor's state.
actors::workspace_summary summary_of(const actors::workspace_state& state) {
  actors::workspace_summary summary;
  summary.id = state.id;
  summary.owner_id = state.owner_id;
  summary.name = state.name;
  summary.starred = state.starred;
  summary.state = std::string(actors::to_string(state.status));
  summary.state_reason = state.last_reason;
  summary.template_id = state.template_id;
  summary.image = state.image;
  summary.limits = state.limits;
  summary.idle_timeout_s = state.idle_timeout_s;
  summary.created_ms = state.created_ms;
  summary.last_activity_ms = state.last_activity_ms;
  summary.last_error = state.last_error;
  return summary;
}

void write_workspace(json_writer& out, const actors::workspace_summary& summary) {
  out.begin_object();
  out.key("id").value(summary.id);
  out.key("owner_id").value(summary.owner_id);
  out.key("name").value(summary.name);
  out.key("starred").value(summary.starred);
  out.key("state").value(summary.state);
  out.key("state_reason").value(summary.state_reason);
  out.key("template_id").value(summary.template_id);
  out.key("image").value(summary.image);
  out.key("limits").begin_object();
  out.key("memory_bytes").value(summary.limits.memory_bytes);
  out.key("nano_cpus").value(summary.limits.nano_cpus);
  out.key("pids").value(summary.limits.pids);
  out.end_object();
  out.key("idle_timeout_s").value(summary.idle_timeout_s);
  out.key("created_ms").value(summary.created_ms);
  out.key("last_activity_ms").value(summary.last_activity_ms);
  out.key("last_error").value(summary.last_error);
  out.end_object();
}

response workspace_response(int status, const actors::workspace_state& state) {
  json_writer out;
  write_workspace(out, summary_of(state));
  return json_text_response(status, std::move(out).take());
}

/// The smaller of a template's limit and a quota's cap (0 = no cap).
std::int64_t capped(std::int64_t wanted, std::int64_t cap) {
  return cap > 0 ? std::min(wanted, cap) : wanted;
}

/// `?flag`, `?flag=1` or `?flag=true`.
bool has_query_flag(const request& req, std::string_view flag) {
  const auto value = query_value(req, flag);
  return value && (value->empty() || *value == "1" || *value == "true");
}

class workspace_routes {
 public:
  explicit workspace_routes(api_services& services)
      : services_(services), accounts_(services.accounts), workspaces_(*services.workspaces) {}

  response list(const request& req) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    const bool everyone = has_query_flag(req, "all");
    if (everyone && who->role == role::member) {
      return error_response(403, "forbidden", "only admins and auditors list all workspaces");
    }
    auto found = workspaces_.list(everyone ? std::string() : who->user_id);
    if (!found) return error_response_of(found.error());
    // Written as text, not built as a document first: this is the busiest read route.
    json_writer out;
    out.begin_object().key("workspaces").begin_array();
    for (const auto& summary : *found)
      write_workspace(out, summary);
    out.end_array().end_object();
    return json_text_response(200, std::move(out).take());
  }

  response create(const request& req) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    auto body = parse_json_object(req, {"name", "template", "start"});
    if (!body) return body.error();
    auto name = required_string(*body, "name", 64);
    if (!name) return name.error();
    auto template_id = optional_string(*body, "template", 128);
    if (!template_id) return template_id.error();
    auto start = optional_bool(*body, "start");
    if (!start) return start.error();
    const bool start_now = start->value_or(true);

    auto chosen = accounts_.get_template(template_id->value_or("default"));
    if (!chosen) {
      if (chosen.error().kind == accounts::error::code::not_found) {
        return invalid_response("no template `" + template_id->value_or("default") + "`");
      }
      return error_response_of(chosen.error());
    }
    // The count and the create act as one per owner, on every node: of parallel creates at
    // the quota's edge exactly one passes.
    response answer;
    auto locked = workspaces_.with_owner_lock(
        who->user_id, [&] { answer = create_within_quota(req, *who, *name, *chosen, start_now); });
    if (!locked) return error_response_of(locked.error());
    return answer;
  }

  response create_within_quota(const request& req, const accounts::principal& who,
                               const std::string& name, const accounts::workspace_template& chosen,
                               bool start_now) {
    auto quota = accounts_.effective_quota(who.user_id);
    if (!quota) return error_response_of(quota.error());
    auto usage = workspaces_.usage_of(who.user_id);
    if (!usage) return error_response_of(usage.error());
    if (quota->max_workspaces > 0 && usage->workspaces >= quota->max_workspaces) {
      return error_response(409, "quota_exceeded",
                            "you have " + std::to_string(usage->workspaces) +
                                " workspaces, the most your quota allows");
    }
    if (start_now && quota->max_running > 0 && usage->running >= quota->max_running) {
      return error_response(409, "quota_exceeded",
                            "you have " + std::to_string(usage->running) +
                                " running workspaces, the most your quota allows");
    }
    auto secret_names = accounts_.secret_names(who.user_id);
    if (!secret_names) return error_response_of(secret_names.error());

    actors::workspace_command::create command;
    command.workspace_id = events::make_uuid_v7();
    command.owner_id = who.user_id;
    command.name = name;
    command.template_id = chosen.id;
    command.image = chosen.image;
    command.limits = {capped(chosen.memory_bytes, quota->memory_bytes),
                      capped(chosen.nano_cpus, quota->nano_cpus), capped(chosen.pids, quota->pids)};
    command.idle_timeout_s = chosen.idle_timeout_s;
    command.sudo_allowed = chosen.sudo_allowed;
    command.env_names = *secret_names;
    auto created = workspaces_.create(std::move(command), start_now, command_origin_of(who, req));
    if (!created) return error_response_of(created.error());
    // Inside the owner's lock: the next check counts this workspace.
    workspaces_.wait_for_read_models(created->global_position);
    auto reply = workspace_response(201, created->state);
    reply.headers.emplace_back("Location", "/api/workspaces/" + created->state.id);
    return reply;
  }

  response get(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    auto current = owned(*who, params.at("id"));
    if (!current) return current.error();
    return workspace_response(200, current->state);
  }

  response rename(const request& req, const route_params& params) {
    auto body = parse_json_object(req, {"name"});
    if (!body) return body.error();
    auto name = required_string(*body, "name", 64);
    if (!name) return name.error();
    return change(
        req, params,
        [&](const std::string& id, const actors::command_origin& origin,
            const actors::workspace_state&) { return workspaces_.rename(id, *name, origin); });
  }

  response set_star(const request& req, const route_params& params, bool starred) {
    return change(
        req, params,
        [&](const std::string& id, const actors::command_origin& origin,
            const actors::workspace_state&) { return workspaces_.set_star(id, starred, origin); });
  }

  /// start, stop, restart and ensure. All but stop may bring up a stopped container, so
  /// they count against the owner's running quota.
  response lifecycle(const request& req, const route_params& params, std::string_view action) {
    return change(
        req, params,
        [&](const std::string& id, const actors::command_origin& origin,
            const actors::workspace_state& current)
            -> actors::command_result<actors::workspace_reply> {
          if (action == "stop") return workspaces_.stop(id, origin);
          const auto run = [&] {
            if (action == "start") return workspaces_.start(id, origin);
            if (action == "restart") return workspaces_.restart(id, origin);
            return workspaces_.ensure(id, origin);
          };
          if (current.status == actors::workspace_status::running) return run();
          // Bringing one up counts against the running quota: the check and the start act as
          // one per owner, so parallel starts cannot all pass.
          actors::command_result<actors::workspace_reply> started = tl::unexpected(
              actors::command_error{actors::command_error::kind::internal, "not run"});
          auto locked = workspaces_.with_owner_lock(current.owner_id, [&] {
            // A parallel start of this same workspace may have won the lock first: then it
            // runs already and counts once, not against itself.
            if (auto now = workspaces_.get(id);
                now && now->state.status == actors::workspace_status::running) {
              started = run();
              return;
            }
            if (auto refused = running_quota_refusal(accounts_, workspaces_, current.owner_id)) {
              started = tl::unexpected(*refused);
              return;
            }
            started = run();
            if (started) workspaces_.wait_for_read_models(started->global_position);
          });
          if (!locked) return tl::unexpected(locked.error());
          return started;
        });
  }

  response remove(const request& req, const route_params& params) {
    auto done =
        change(req, params,
               [&](const std::string& id, const actors::command_origin& origin,
                   const actors::workspace_state&) { return workspaces_.remove(id, origin); });
    return done.status == 200 ? no_content() : done;
  }

  response export_archive(const request& req, const route_params& params) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    auto current = owned(*who, params.at("id"));
    if (!current) return current.error();
    if (current->state.container_id.empty()) {
      return error_response(409, "conflict", "the workspace has no container yet: start it first");
    }
    auto ticket = enter_download(services_, *who);
    if (!ticket) return ticket.error();
    response streamed;
    streamed.content_type = "application/gzip";
    streamed.headers.emplace_back("Content-Disposition", "attachment; filename=\"workspace-" +
                                                             current->state.id + ".tar.gz\"");
    streamed.stream = [this, id = current->state.id, ticket = *ticket,
                       limits = services_.downloads->limits()](
                          const std::function<bool(std::string_view)>& write) {
      // Headers are already sent: a failure mid-way, or the download's time or size bound
      // (a sparse file of terabytes), can only cut the stream short, which the client sees
      // as a truncated gzip.
      (void)workspaces_.export_workspace(id, bounded_writer(write, limits));
    };
    return streamed;
  }

 private:
  checked<actors::workspace_reply> owned(const accounts::principal& who, const std::string& id) {
    return owned_workspace(workspaces_, who, id);
  }

  /// Authenticates a writer, checks ownership, runs `command` (given the state the ownership
  /// check read, so it need not ask again) and answers with the state
  /// once the read models show the change.
  template <class Command>
  response change(const request& req, const route_params& params, Command&& command) {
    auto who = authenticate(req, accounts_);
    if (!who) return who.error();
    if (auto refused = require_writer(*who)) return *refused;
    const auto& id = params.at("id");
    auto current = owned(*who, id);
    if (!current) return current.error();
    auto changed = command(id, command_origin_of(*who, req), current->state);
    if (!changed) return error_response_of(changed.error());
    workspaces_.wait_for_read_models(changed->global_position);
    return workspace_response(200, changed->state);
  }

  api_services& services_;
  accounts::account_service& accounts_;
  actors::workspace_service& workspaces_;
};

}  // namespace

void add_workspace_routes(router& routes, api_services& services) {
  auto handlers = std::make_shared<workspace_routes>(services);
  routes.add("GET", "/api/workspaces",
             [handlers](const request& req, const route_params&) { return handlers->list(req); });
  routes.add("POST", "/api/workspaces",
             [handlers](const request& req, const route_params&) { return handlers->create(req); });
  routes.add("GET", "/api/workspaces/{id}", [handlers](const request& req, const route_params& p) {
    return handlers->get(req, p);
  });
  routes.add(
      "PATCH", "/api/workspaces/{id}",
      [handlers](const request& req, const route_params& p) { return handlers->rename(req, p); });
  routes.add(
      "DELETE", "/api/workspaces/{id}",
      [handlers](const request& req, const route_params& p) { return handlers->remove(req, p); });
  routes.add("PUT", "/api/workspaces/{id}/star",
             [handlers](const request& req, const route_params& p) {
               return handlers->set_star(req, p, true);
             });
  routes.add("DELETE", "/api/workspaces/{id}/star",
             [handlers](const request& req, const route_params& p) {
               return handlers->set_star(req, p, false);
             });
  for (const auto* action : {"start", "stop", "restart", "ensure"}) {
    routes.add("POST", std::string("/api/workspaces/{id}/") + action,
               [handlers, action](const request& req, const route_params& p) {
                 return handlers->lifecycle(req, p, action);
               });
  }
  routes.add("GET", "/api/workspaces/{id}/export",
             [handlers](const request& req, const route_params& p) {
               return handlers->export_archive(req, p);
             });
}

}  // namespace berth::http
