// Routes of /api/auth/*, /api/me*, /api/admin/users (docs/api.md "Auth and the current user").
#include <chrono>
#include <functional>

#include <boost/json.hpp>

#include "auth/password.hpp"
#include "auth/secret_box.hpp"
#include "http/api.hpp"
#include "http/json_body.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;
using accounts::principal;

/// Longest username or token name read from a body; the service applies the real rules.
constexpr std::size_t max_name_field = 256;
/// Secret values are read up to the body limit, so one over 64 KiB gets the service's 413.
constexpr std::size_t max_secret_field = 1024 * 1024;

json::object user_json(const accounts::user& who) {
  return {{"id", who.id},
          {"username", who.username},
          {"role", accounts::to_string(who.role)},
          {"disabled", who.disabled},
          {"created_ms", who.created_ms}};
}

json::object me_json(const std::string& id, const std::string& username, accounts::role r) {
  return {{"id", id}, {"username", username}, {"role", accounts::to_string(r)}};
}

std::string session_cookie(const std::string& value, std::int64_t max_age_s, bool secure) {
  auto cookie = std::string(session_cookie_name) + "=" + value +
                "; HttpOnly; SameSite=Lax; Path=/; Max-Age=" + std::to_string(max_age_s);
  if (secure) cookie += "; Secure";
  return cookie;
}

/// Seconds from now until `expires_ms`, for a cookie's Max-Age.
std::int64_t max_age_of(std::int64_t expires_ms) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return std::max<std::int64_t>(0, (expires_ms - now_ms) / 1000);
}

checked<accounts::role> role_field(const json::object& body, accounts::role fallback) {
  auto text = optional_string(body, "role", 32);
  if (!text) return tl::unexpected(text.error());
  if (!*text) return fallback;
  auto parsed = accounts::parse_role(**text);
  if (!parsed) return tl::unexpected(invalid_response("`role` must be member, auditor or admin"));
  return *parsed;
}

// /api/auth ---------------------------------------------------------------------------------

response login(api_services& services, const request& req) {
  auto body = parse_json_object(req, {"username", "password", "token"});
  if (!body) return body.error();
  auto username = required_string(*body, "username", max_name_field);
  if (!username) return username.error();
  auto password = required_string(*body, "password", auth::max_password_size);
  if (!password) return password.error();
  auto want_token = optional_bool(*body, "token");
  if (!want_token) return want_token.error();
  // Anonymous: the events a login may record (its token) name the user as the actor.
  const accounts::principal anonymous{"anonymous", "", accounts::role::member, {}, {}};
  auto outcome = services.accounts.login(*username, *password, want_token->value_or(false),
                                         change_context_of(anonymous, req));
  if (!outcome) return error_response_of(outcome.error());
  json::object answer{{"user", me_json(outcome->who.id, outcome->who.username, outcome->who.role)},
                      {"expires_ms", outcome->expires_ms}};
  if (outcome->api_token) answer["token"] = *outcome->api_token;
  auto out = json_response(200, answer);
  out.headers.emplace_back("Set-Cookie",
                           session_cookie(outcome->session_token, max_age_of(outcome->expires_ms),
                                          services.secure_cookies || req.https));
  out.headers.emplace_back("Cache-Control", "no-store");
  return out;
}

response logout(api_services& services, const request& req, const principal& who) {
  if (auto done = services.accounts.logout(who, change_context_of(who, req)); !done) {
    return error_response_of(done.error());
  }
  auto out = no_content();
  out.headers.emplace_back("Set-Cookie",
                           session_cookie("", 0, services.secure_cookies || req.https));
  return out;
}

// /api/me -----------------------------------------------------------------------------------

response change_own_password(api_services& services, const request& req, const principal& who) {
  auto body = parse_json_object(req, {"current_password", "password", "revoke_tokens"});
  if (!body) return body.error();
  auto current = required_string(*body, "current_password", auth::max_password_size);
  if (!current) return current.error();
  auto password = required_string(*body, "password", auth::max_password_size);
  if (!password) return password.error();
  auto revoke_tokens = optional_bool(*body, "revoke_tokens");
  if (!revoke_tokens) return revoke_tokens.error();
  auto changed = services.accounts.change_own_password(
      who, {*current, *password, revoke_tokens->value_or(false)}, change_context_of(who, req));
  if (!changed) return error_response_of(changed.error());
  auto out = no_content();
  // Every session issued before the change is refused now, this one included: the caller's
  // browser gets a fresh cookie and stays signed in, every other one is signed out.
  if (*changed) {
    out.headers.emplace_back(
        "Set-Cookie", session_cookie((*changed)->session_token, max_age_of((*changed)->expires_ms),
                                     services.secure_cookies || req.https));
  }
  out.headers.emplace_back("Cache-Control", "no-store");
  return out;
}

response list_tokens(api_services& services, const principal& who) {
  auto tokens = services.accounts.list_tokens(who.user_id);
  if (!tokens) return error_response_of(tokens.error());
  json::array listed;
  for (const auto& token : *tokens) {
    listed.push_back(json::object{{"id", token.id},
                                  {"name", token.name},
                                  {"created_ms", token.created_ms},
                                  {"expires_ms", token.expires_ms}});
  }
  return json_response(200, json::object{{"tokens", std::move(listed)}});
}

response create_token(api_services& services, const request& req, const principal& who) {
  auto body = parse_json_object(req, {"name", "expires_ms"});
  if (!body) return body.error();
  auto name = required_string(*body, "name", max_name_field);
  if (!name) return name.error();
  auto expires_ms = optional_integer(*body, "expires_ms", 0, INT64_MAX);
  if (!expires_ms) return expires_ms.error();
  auto created = services.accounts.create_token(who.user_id, *name, expires_ms->value_or(0),
                                                change_context_of(who, req));
  if (!created) return error_response_of(created.error());
  const auto& [info, text] = *created;
  auto out = json_response(
      201,
      json::object{
          {"id", info.id}, {"name", info.name}, {"expires_ms", info.expires_ms}, {"token", text}});
  out.headers.emplace_back("Cache-Control", "no-store");
  return out;
}

response list_secrets(api_services& services, const principal& who) {
  auto names = services.accounts.secret_names(who.user_id);
  if (!names) return error_response_of(names.error());
  json::array listed;
  for (const auto& name : *names)
    listed.push_back(json::string(name));
  return json_response(200, json::object{{"secrets", std::move(listed)}});
}

response set_secret(api_services& services, const request& req, const route_params& params,
                    const principal& who) {
  auto body = parse_json_object(req, {"value"});
  if (!body) return body.error();
  auto value = required_string(*body, "value", max_secret_field);
  if (!value) return value.error();
  auto set = services.accounts.set_secret(who.user_id, params.at("name"), *value,
                                          change_context_of(who, req));
  if (!set) return error_response_of(set.error());
  return no_content();
}

// /api/admin/users --------------------------------------------------------------------------

response list_users(api_services& services, const principal& who) {
  if (auto refused = require_reader(who)) return *refused;
  auto users = services.accounts.list_users();
  if (!users) return error_response_of(users.error());
  json::array listed;
  for (const auto& each : *users)
    listed.push_back(user_json(each));
  return json_response(200, json::object{{"users", std::move(listed)}});
}

response create_user(api_services& services, const request& req, const principal& who) {
  if (auto refused = require_admin(who)) return *refused;
  auto body = parse_json_object(req, {"username", "password", "role"});
  if (!body) return body.error();
  auto username = required_string(*body, "username", max_name_field);
  if (!username) return username.error();
  auto password = required_string(*body, "password", auth::max_password_size);
  if (!password) return password.error();
  auto r = role_field(*body, accounts::role::member);
  if (!r) return r.error();
  auto created =
      services.accounts.create_user(*username, *password, *r, change_context_of(who, req));
  if (!created) return error_response_of(created.error());
  return json_response(201, user_json(*created));
}

response update_user(api_services& services, const request& req, const route_params& params,
                     const principal& who) {
  if (auto refused = require_admin(who)) return *refused;
  auto body = parse_json_object(req, {"role", "disabled", "password"});
  if (!body) return body.error();
  auto r = optional_string(*body, "role", 32);
  if (!r) return r.error();
  std::optional<accounts::role> new_role;
  if (*r) {
    new_role = accounts::parse_role(**r);
    if (!new_role) return invalid_response("`role` must be member, auditor or admin");
  }
  auto disabled = optional_bool(*body, "disabled");
  if (!disabled) return disabled.error();
  auto password = optional_string(*body, "password", auth::max_password_size);
  if (!password) return password.error();
  // Everything is checked before the first change, so a refused request changes nothing.
  if (*password) {
    if (auto policy = auth::check_password_policy(**password); !policy) {
      return invalid_response(policy.error().message);
    }
  }
  const auto& user_id = params.at("id");
  if (auto exists = services.accounts.get_user(user_id); !exists) {
    return error_response_of(exists.error());
  }
  const auto ctx = change_context_of(who, req);
  if (*password) {
    auto changed = services.accounts.change_password(user_id, **password, ctx);
    if (!changed) return error_response_of(changed.error());
  }
  if (new_role) {
    auto changed = services.accounts.set_role(user_id, *new_role, ctx);
    if (!changed) return error_response_of(changed.error());
  }
  if (*disabled) {
    auto changed = services.accounts.set_disabled(user_id, **disabled, ctx);
    if (!changed) return error_response_of(changed.error());
  }
  auto current = services.accounts.get_user(user_id);
  if (!current) return error_response_of(current.error());
  return json_response(200, user_json(*current));
}

}  // namespace

void add_account_routes(router& routes, api_services& services) {
  auto& s = services;
  routes.add("POST", "/api/auth/login",
             [&s](const request& req, const route_params&) { return login(s, req); });
  routes.add("POST", "/api/auth/logout",
             signed_in(s, [&s](const request& req, const route_params&, const principal& who) {
               return logout(s, req, who);
             }));
  routes.add("GET", "/api/me",
             signed_in(s, [](const request&, const route_params&, const principal& who) {
               return json_response(200, me_json(who.user_id, who.username, who.role));
             }));
  routes.add("POST", "/api/me/password",
             signed_in(s, [&s](const request& req, const route_params&, const principal& who) {
               return change_own_password(s, req, who);
             }));
  routes.add("GET", "/api/me/tokens",
             signed_in(s, [&s](const request&, const route_params&, const principal& who) {
               return list_tokens(s, who);
             }));
  routes.add("POST", "/api/me/tokens",
             signed_in(s, [&s](const request& req, const route_params&, const principal& who) {
               return create_token(s, req, who);
             }));
  routes.add(
      "DELETE", "/api/me/tokens/{id}",
      signed_in(s, [&s](const request& req, const route_params& params, const principal& who) {
        auto revoked =
            s.accounts.revoke_token(who.user_id, params.at("id"), change_context_of(who, req));
        return revoked ? no_content() : error_response_of(revoked.error());
      }));
  routes.add("GET", "/api/me/secrets",
             signed_in(s, [&s](const request&, const route_params&, const principal& who) {
               return list_secrets(s, who);
             }));
  routes.add("PUT", "/api/me/secrets/{name}",
             signed_in(s, [&s](const request& req, const route_params& params,
                               const principal& who) { return set_secret(s, req, params, who); }));
  routes.add(
      "DELETE", "/api/me/secrets/{name}",
      signed_in(s, [&s](const request& req, const route_params& params, const principal& who) {
        auto deleted =
            s.accounts.delete_secret(who.user_id, params.at("name"), change_context_of(who, req));
        return deleted ? no_content() : error_response_of(deleted.error());
      }));
  routes.add("GET", "/api/admin/users",
             signed_in(s, [&s](const request&, const route_params&, const principal& who) {
               return list_users(s, who);
             }));
  routes.add("POST", "/api/admin/users",
             signed_in(s, [&s](const request& req, const route_params&, const principal& who) {
               return create_user(s, req, who);
             }));
  routes.add("PATCH", "/api/admin/users/{id}",
             signed_in(s, [&s](const request& req, const route_params& params,
                               const principal& who) { return update_user(s, req, params, who); }));
}

}  // namespace berth::http
