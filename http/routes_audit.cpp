// /api/audit...: the audit log, the list of terminal sessions and a session's recording as
// asciicast (docs/api.md "Audit"). Every role may ask; what a member gets is narrowed to their
// own workspaces and actions by audit_reader. Chain verification and a workspace's history at
// a time are for admins and auditors only. Query parameters are checked strictly: an
// unknown name or a bad value is a 422, never silently ignored.

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <boost/json.hpp>

#include "accounts/user_aggregate.hpp"
#include "audit/audit_reader.hpp"
#include "audit/time_text.hpp"
#include "events/uuid.hpp"
#include "http/api.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;
using query = std::map<std::string, std::string>;

constexpr std::int64_t default_limit = 100;
constexpr std::int64_t max_limit = 500;

json::value nullable(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

json::value nullable(const std::optional<std::int64_t>& number) {
  return number ? json::value(*number) : json::value(nullptr);
}

/// The query's parameters when all are among `allowed`; an empty value counts as absent.
checked<query> query_of(const request& req, std::initializer_list<std::string_view> allowed) {
  auto parameters = query_parameters(req);
  if (!parameters) return tl::unexpected(invalid_response(parameters.error()));
  std::string known;
  for (const auto name : allowed)
    known += (known.empty() ? "" : ", ") + std::string(name);
  for (auto it = parameters->begin(); it != parameters->end();) {
    if (std::find(allowed.begin(), allowed.end(), it->first) == allowed.end()) {
      return tl::unexpected(
          invalid_response("unknown query parameter `" + it->first + "` (known: " + known + ")"));
    }
    it = it->second.empty() ? parameters->erase(it) : std::next(it);
  }
  return std::move(*parameters);
}

/// The integer parameter `name` in [min, max], or nothing when absent.
checked<std::optional<std::int64_t>> integer_parameter(const query& parameters,
                                                       const std::string& name, std::int64_t min,
                                                       std::int64_t max) {
  const auto found = parameters.find(name);
  if (found == parameters.end()) return std::nullopt;
  const auto& text = found->second;
  std::int64_t value = 0;
  const auto [end, failed] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (failed != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return tl::unexpected(invalid_response("`" + name + "` must be an integer from " +
                                           std::to_string(min) + " to " + std::to_string(max)));
  }
  return value;
}

/// The text parameter `name` when `valid`, or nothing when absent.
checked<std::optional<std::string>> text_parameter(const query& parameters, const std::string& name,
                                                   bool (*valid)(const std::string&),
                                                   const std::string& what_it_is) {
  const auto found = parameters.find(name);
  if (found == parameters.end()) return std::nullopt;
  if (!valid(found->second)) {
    return tl::unexpected(invalid_response("`" + name + "` must be " + what_it_is));
  }
  return found->second;
}

bool is_username(const std::string& text) {
  return accounts::is_valid_username(text);
}

bool is_event_type(const std::string& text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

audit::viewer viewer_of(const accounts::principal& who) {
  return {who.user_id, who.role != accounts::role::member};
}

json::object entry_json(const audit::log_entry& entry) {
  boost::system::error_code failed;
  auto details = json::parse(entry.details, failed);
  return {{"position", entry.position},
          {"at_ms", entry.at_ms},
          {"actor", entry.actor},
          {"actor_name", nullable(entry.actor_name)},
          {"action", entry.action},
          {"resource_type", entry.resource_type},
          {"resource_id", entry.resource_id},
          {"workspace_id", nullable(entry.workspace_id)},
          {"address", nullable(entry.address)},
          {"trace_id", nullable(entry.trace_id)},
          {"details", failed ? json::value(json::object{}) : std::move(details)}};
}

json::object session_json(const audit::session_entry& session) {
  return {{"id", session.id},
          {"workspace_id", session.workspace_id},
          {"workspace_name", nullable(session.workspace_name)},
          {"user_id", session.user_id},
          {"username", nullable(session.username)},
          {"name", session.name},
          {"state", session.state},
          {"cols", session.cols},
          {"rows", session.rows},
          {"opened_ms", session.opened_ms},
          {"closed_ms", nullable(session.closed_ms)},
          {"close_reason", nullable(session.close_reason)},
          {"exit_status", session.exit_status ? json::value(*session.exit_status) : nullptr},
          {"output_bytes", session.output_bytes}};
}

class audit_routes {
 public:
  explicit audit_routes(api_services& services) : services_(services), reader_(*services.audit) {}

  response log(const request& req, const accounts::principal& who) {
    auto parameters =
        query_of(req, {"user", "workspace", "action", "since", "until", "before", "limit"});
    if (!parameters) return parameters.error();
    audit::log_filter filter;
    auto user = text_parameter(*parameters, "user", is_username, "a username");
    if (!user) return user.error();
    auto workspace = text_parameter(*parameters, "workspace", events::is_uuid, "a workspace id");
    if (!workspace) return workspace.error();
    auto action = text_parameter(*parameters, "action", is_event_type, "an event type");
    if (!action) return action.error();
    auto since = integer_parameter(*parameters, "since", 0, INT64_MAX / 2);
    if (!since) return since.error();
    auto until = integer_parameter(*parameters, "until", 0, INT64_MAX / 2);
    if (!until) return until.error();
    auto before = integer_parameter(*parameters, "before", 1, INT64_MAX);
    if (!before) return before.error();
    auto limit = integer_parameter(*parameters, "limit", 1, max_limit);
    if (!limit) return limit.error();
    filter.username = std::move(*user);
    filter.workspace_id = std::move(*workspace);
    filter.action = std::move(*action);
    filter.since_ms = *since;
    filter.until_ms = *until;
    filter.before = *before;
    filter.limit = static_cast<int>(limit->value_or(default_limit));
    auto page = reader_.log(viewer_of(who), filter);
    if (!page) return error_response_of(page.error());
    json::array entries;
    for (const auto& entry : page->entries)
      entries.push_back(entry_json(entry));
    return json_response(200, json::object{{"entries", std::move(entries)},
                                           {"next_before", nullable(page->next_before)}});
  }

  response sessions(const request& req, const accounts::principal& who) {
    auto parameters = query_of(req, {"workspace", "user", "before", "limit"});
    if (!parameters) return parameters.error();
    auto workspace = text_parameter(*parameters, "workspace", events::is_uuid, "a workspace id");
    if (!workspace) return workspace.error();
    auto user = text_parameter(*parameters, "user", is_username, "a username");
    if (!user) return user.error();
    auto before = integer_parameter(*parameters, "before", 1, INT64_MAX);
    if (!before) return before.error();
    auto limit = integer_parameter(*parameters, "limit", 1, max_limit);
    if (!limit) return limit.error();
    audit::session_filter filter{std::move(*workspace), std::move(*user), *before,
                                 static_cast<int>(limit->value_or(default_limit))};
    auto page = reader_.sessions(viewer_of(who), filter);
    if (!page) return error_response_of(page.error());
    json::array sessions;
    for (const auto& session : page->sessions)
      sessions.push_back(session_json(session));
    return json_response(200, json::object{{"sessions", std::move(sessions)},
                                           {"next_before", nullable(page->next_before)}});
  }

  response cast(const request& req, const route_params& params, const accounts::principal& who) {
    auto parameters = query_of(req, {"version", "input"});
    if (!parameters) return parameters.error();
    auto version = integer_parameter(*parameters, "version", 2, 3);
    if (!version) return version.error();
    auto input = integer_parameter(*parameters, "input", 0, 1);
    if (!input) return input.error();
    const auto& session_id = params.at("sid");
    // Only ids Berth could have made reach the event store.
    if (!events::is_uuid(session_id)) return error_response(404, "not_found", "no such session");
    auto origin = reader_.origin_of_session(session_id);
    if (!origin) return error_response_of(origin.error());
    if (!*origin) return error_response(404, "not_found", "no such session");
    if (who.role == accounts::role::member && (*origin)->owner_id != who.user_id) {
      return error_response(403, "forbidden", "not a session of your workspaces");
    }
    // Typed input may hold what someone else typed in the owner's workspace (an admin's
    // commands, a password at a prompt that echoes): for auditors and admins only.
    if (input->value_or(0) == 1 && who.role == accounts::role::member) {
      return error_response(403, "forbidden", "typed input is for auditors and admins only");
    }
    auto ticket = enter_download(services_, who);
    if (!ticket) return ticket.error();
    audit::asciicast_options options;
    options.version =
        version->value_or(2) == 3 ? audit::asciicast_version::v3 : audit::asciicast_version::v2;
    options.include_input = input->value_or(0) == 1;
    options.title = (*origin)->name.empty() ? "Berth session " + session_id : (*origin)->name;
    response out;
    out.content_type = "application/x-asciicast";
    out.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"berth-session-" + session_id + ".cast\"");
    out.stream = [&reader = reader_, session_id, options, ticket = *ticket,
                  limits = services_.downloads->limits()](const auto& write) {
      const auto bounded = bounded_writer(write, limits);
      audit::asciicast_writer writer(options, bounded);
      auto written = reader.write_recording(session_id, writer);
      // The status line is out: a cut-off body is the only way left to say it failed.
      if (!written) throw std::runtime_error("cannot read the session: " + written.error().message);
    };
    return out;
  }

  response verify(const request& req, const accounts::principal& who) {
    if (auto refused = require_reader(who)) return *refused;
    auto parameters = query_of(req, {});
    if (!parameters) return parameters.error();
    auto verification = reader_.verify();
    if (!verification) return error_response_of(verification.error());
    return json_response(200, audit::verification_json(*verification));
  }

  response history(const request& req, const route_params& params, const accounts::principal& who) {
    if (auto refused = require_reader(who)) return *refused;
    auto parameters = query_of(req, {"at"});
    if (!parameters) return parameters.error();
    std::optional<audit::time_point> at;
    if (const auto found = parameters->find("at"); found != parameters->end()) {
      auto parsed = audit::parse_time(found->second);
      if (!parsed) {
        // query_parameters reads `+` as a space, as forms do: say how to send an offset.
        return invalid_response("`at`: " + parsed.error() + " (send a `+` offset as %2B)");
      }
      at = *parsed;
    }
    const auto& workspace_id = params.at("wid");
    // Only ids Berth could have made reach the event store.
    if (!events::is_uuid(workspace_id)) {
      return error_response(404, "not_found", "no such workspace");
    }
    auto history = reader_.history(workspace_id, at);
    if (!history) return error_response_of(history.error());
    if (!*history) return error_response(404, "not_found", "no such workspace");
    return json_response(200, audit::history_json(**history));
  }

 private:
  api_services& services_;
  audit::audit_reader& reader_;
};

}  // namespace

void add_audit_routes(router& routes, api_services& services) {
  auto handlers = std::make_shared<audit_routes>(services);
  routes.add("GET", "/api/audit",
             signed_in(services, [handlers](const request& req, const route_params&,
                                            const accounts::principal& who) {
               return handlers->log(req, who);
             }));
  routes.add("GET", "/api/audit/sessions",
             signed_in(services, [handlers](const request& req, const route_params&,
                                            const accounts::principal& who) {
               return handlers->sessions(req, who);
             }));
  routes.add("GET", "/api/audit/sessions/{sid}/cast",
             signed_in(services, [handlers](const request& req, const route_params& params,
                                            const accounts::principal& who) {
               return handlers->cast(req, params, who);
             }));
  routes.add("GET", "/api/audit/verify",
             signed_in(services, [handlers](const request& req, const route_params&,
                                            const accounts::principal& who) {
               return handlers->verify(req, who);
             }));
  routes.add("GET", "/api/audit/workspaces/{wid}/history",
             signed_in(services, [handlers](const request& req, const route_params& params,
                                            const accounts::principal& who) {
               return handlers->history(req, params, who);
             }));
}

}  // namespace berth::http
