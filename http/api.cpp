#include "http/api.hpp"

#include <algorithm>
#include <cctype>

#include "events/uuid.hpp"
#include "http/request_fields.hpp"
#include "telemetry/log.hpp"
#include "telemetry/span.hpp"

namespace berth::http {
namespace {

/// A 500 says nothing of its cause (a database's error text names tables, columns and
/// values): the cause goes to the log, under the request's trace id, which the answer quotes.
response internal_error(std::string_view cause) {
  telemetry::log(telemetry::level::error, "http.api", "request failed", {{"error", cause}});
  const auto trace = telemetry::current_context();
  return error_response(500, "internal",
                        trace.valid() ? "internal error; trace " + trace.trace_id_hex()
                                      : std::string("internal error"));
}

response unauthenticated(const std::string& message) {
  auto refused = error_response(401, "unauthenticated", message);
  refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"berth\"");
  return refused;
}

}  // namespace

checked_principal authenticate(const request& req, accounts::account_service& accounts) {
  const auto authorization = req.header("authorization");
  if (!authorization.empty()) {
    constexpr std::string_view scheme = "Bearer ";
    if (authorization.size() <= scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return tl::unexpected(unauthenticated("Authorization must be `Bearer <token>`"));
    }
    auto who = accounts.authenticate_token(
        trim_blanks(std::string_view(authorization).substr(scheme.size())));
    if (!who) {
      if (who.error().kind != accounts::error::code::unauthenticated) {
        return tl::unexpected(error_response_of(who.error()));
      }
      return tl::unexpected(unauthenticated(who.error().message));
    }
    return *who;
  }
  const auto cookie = cookie_value(req, session_cookie_name);
  if (cookie.empty()) return tl::unexpected(unauthenticated("log in first"));
  auto who = accounts.authenticate_session(cookie);
  if (!who) {
    if (who.error().kind != accounts::error::code::unauthenticated) {
      return tl::unexpected(error_response_of(who.error()));
    }
    return tl::unexpected(unauthenticated(who.error().message));
  }
  return *who;
}

std::optional<response> require_admin(const accounts::principal& who) {
  if (who.role == accounts::role::admin) return std::nullopt;
  return error_response(403, "forbidden", "admins only");
}

std::optional<response> require_writer(const accounts::principal& who) {
  if (who.role != accounts::role::auditor) return std::nullopt;
  return error_response(403, "forbidden", "auditors have read-only access");
}

std::optional<response> require_reader(const accounts::principal& who) {
  if (who.role == accounts::role::admin || who.role == accounts::role::auditor) {
    return std::nullopt;
  }
  return error_response(403, "forbidden", "admins and auditors only");
}

route_handler signed_in(api_services& services, authenticated_handler on_caller) {
  return [&services, on_caller = std::move(on_caller)](const request& req,
                                                       const route_params& params) {
    auto who = authenticate(req, services.accounts);
    if (!who) return who.error();
    return on_caller(req, params, *who);
  };
}

std::optional<actors::command_error> running_quota_refusal(accounts::account_service& accounts,
                                                           actors::workspace_service& workspaces,
                                                           const std::string& owner_id) {
  auto quota = accounts.effective_quota(owner_id);
  if (!quota)
    return actors::command_error{actors::command_error::kind::dependency_unavailable,
                                 quota.error().message};
  if (quota->max_running <= 0) return std::nullopt;
  auto usage = workspaces.usage_of(owner_id);
  if (!usage) return usage.error();
  if (usage->running < quota->max_running) return std::nullopt;
  return actors::command_error{actors::command_error::kind::quota,
                               "already " + std::to_string(usage->running) +
                                   " running workspaces, the most the quota allows"};
}

tl::expected<std::shared_ptr<void>, response> enter_download(api_services& services,
                                                             const accounts::principal& who) {
  auto ticket = services.downloads->enter(who.user_id);
  if (ticket) return ticket;
  auto refused =
      error_response(429, "rate_limited",
                     "you run " + std::to_string(services.downloads->limits().per_user) +
                         " downloads already (the most at once); try again when one has finished");
  refused.headers.emplace_back("Retry-After", "5");
  return tl::unexpected(std::move(refused));
}

response no_content() {
  response out;
  out.status = 204;
  return out;
}

// The request's server span is this worker thread's current span (observed_handler.cpp):
// its trace goes into the events' metadata, and the actors' spans become its children.
accounts::change_context change_context_of(const accounts::principal& who, const request& req) {
  const auto trace = telemetry::current_context();
  return {who.user_id, req.remote_address, trace.valid() ? trace.trace_id_hex() : trace_id_of(req)};
}

actors::command_origin command_origin_of(const accounts::principal& who, const request& req) {
  const auto trace = telemetry::current_context();
  return {who.user_id, req.remote_address, trace.valid() ? trace.trace_id_hex() : trace_id_of(req),
          trace};
}

response error_response_of(const accounts::error& failure) {
  using code = accounts::error::code;
  switch (failure.kind) {
    case code::invalid:
      return error_response(422, "invalid", failure.message);
    case code::not_found:
      return error_response(404, "not_found", failure.message);
    case code::conflict:
      return error_response(409, "conflict", failure.message);
    case code::unauthenticated:
      return unauthenticated(failure.message);
    case code::forbidden:
      return error_response(403, "forbidden", failure.message);
    case code::rate_limited: {
      auto refused = error_response(429, "rate_limited", failure.message);
      refused.headers.emplace_back(
          "Retry-After", std::to_string(std::max<std::int64_t>(1, failure.retry_after_s)));
      return refused;
    }
    case code::too_large:
      return error_response(413, "too_large", failure.message);
    case code::quota_exceeded:
      return error_response(409, "quota_exceeded", failure.message);
    case code::dependency_unavailable:
      return error_response(503, "dependency_unavailable", failure.message);
    case code::internal:
      break;
  }
  return internal_error(failure.message);
}

response error_response_of(const actors::command_error& failure) {
  using kind = actors::command_error::kind;
  switch (failure.code) {
    case kind::invalid:
      return error_response(422, "invalid", failure.message);
    case kind::not_found:
      return error_response(404, "not_found", failure.message);
    case kind::conflict:
      return error_response(409, "conflict", failure.message);
    case kind::quota:
      return error_response(409, "quota_exceeded", failure.message);
    case kind::dependency_unavailable:
      return error_response(503, "dependency_unavailable", failure.message);
    case kind::internal:
      break;
  }
  return internal_error(failure.message);
}

response error_response_of(const events::error& failure) {
  if (failure.code == events::error_code::dependency_unavailable) {
    return error_response(503, "dependency_unavailable", "the database is unavailable");
  }
  if (failure.code == events::error_code::not_found) {
    return error_response(404, "not_found", failure.message);
  }
  return internal_error(failure.message);
}

checked<actors::workspace_reply> owned_workspace(actors::workspace_service& workspaces,
                                                 const accounts::principal& who,
                                                 const std::string& id) {
  // Only ids Berth could have made reach an actor: no actor is spawned for garbage.
  if (!events::is_uuid(id))
    return tl::unexpected(error_response(404, "not_found", "no such workspace"));
  auto current = workspaces.get(id);
  if (!current) return tl::unexpected(error_response_of(current.error()));
  if (current->state.status == actors::workspace_status::deleted) {
    return tl::unexpected(error_response(404, "not_found", "no such workspace"));
  }
  if (who.role == accounts::role::member && current->state.owner_id != who.user_id) {
    return tl::unexpected(error_response(403, "forbidden", "not your workspace"));
  }
  return std::move(*current);
}

}  // namespace berth::http
