// Routes of /api/templates and /api/admin/limits (docs/api.md "Templates and quotas").
#include <functional>

#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/json_body.hpp"

namespace berth::http {
namespace {

namespace json = boost::json;
using accounts::principal;

/// Field sizes read from a body; the service applies the real rules (names ≤ 64, images ≤ 256).
constexpr std::size_t max_text_field = 1024;
constexpr std::size_t max_env_value_field = 64 * 1024;
constexpr std::int64_t max_quantity = std::int64_t{1} << 50;

// Templates ---------------------------------------------------------------------------------

/// A template as `who` may see it: `env` (configuration an admin may have put credentials in)
/// for admins only; everyone else gets `env_names`, the names alone.
json::object template_json(const accounts::workspace_template& spec, const principal& who) {
  json::object out{
      {"id", spec.id},
      {"name", spec.name},
      {"image", spec.image},
      {"limits",
       {{"memory_bytes", spec.memory_bytes}, {"nano_cpus", spec.nano_cpus}, {"pids", spec.pids}}},
      {"idle_timeout_s", spec.idle_timeout_s},
      {"sudo_allowed", spec.sudo_allowed}};
  if (who.role == accounts::role::admin) {
    json::object env;
    for (const auto& [name, value] : spec.env)
      env[name] = value;
    out["env"] = std::move(env);
  } else {
    json::array names;
    for (const auto& [name, value] : spec.env)
      names.emplace_back(name);
    out["env_names"] = std::move(names);
  }
  return out;
}

/// Sets `field` from the body's integer `key` when present.
std::optional<response> read_integer(const json::object& body, std::string_view key,
                                     std::int64_t& field) {
  auto value = optional_integer(body, key, 0, max_quantity);
  if (!value) return value.error();
  if (*value) field = **value;
  return std::nullopt;
}

/// Applies the template fields present in `body` to `spec`: absent ones keep their value.
std::optional<response> apply_template_fields(const json::object& body,
                                              accounts::workspace_template& spec) {
  for (auto [key, field] : {std::pair{"name", &spec.name}, std::pair{"image", &spec.image}}) {
    auto value = optional_string(body, key, max_text_field);
    if (!value) return value.error();
    if (*value) *field = std::move(**value);
  }
  if (const auto* limits = body.if_contains("limits")) {
    auto object = expect_object(*limits, "limits", {"memory_bytes", "nano_cpus", "pids"});
    if (!object) return object.error();
    if (auto bad = read_integer(**object, "memory_bytes", spec.memory_bytes)) return bad;
    if (auto bad = read_integer(**object, "nano_cpus", spec.nano_cpus)) return bad;
    if (auto bad = read_integer(**object, "pids", spec.pids)) return bad;
  }
  if (const auto* env = body.if_contains("env")) {
    if (!env->is_object()) return invalid_response("`env` must be an object of strings");
    spec.env.clear();
    for (const auto& entry : env->as_object()) {
      if (!entry.value().is_string() || entry.value().as_string().size() > max_env_value_field) {
        return invalid_response("`env` values must be strings of at most 64 KiB");
      }
      spec.env[entry.key()] = std::string(entry.value().as_string());
    }
  }
  if (auto bad = read_integer(body, "idle_timeout_s", spec.idle_timeout_s)) return bad;
  auto sudo = optional_bool(body, "sudo_allowed");
  if (!sudo) return sudo.error();
  if (*sudo) spec.sudo_allowed = **sudo;
  return std::nullopt;
}

response list_templates(api_services& services, const principal& who) {
  auto templates = services.accounts.list_templates();
  if (!templates) return error_response_of(templates.error());
  json::array listed;
  for (const auto& spec : *templates)
    listed.push_back(template_json(spec, who));
  return json_response(200, json::object{{"templates", std::move(listed)}});
}

response get_template(api_services& services, const route_params& params, const principal& who) {
  auto spec = services.accounts.get_template(params.at("id"));
  if (!spec) return error_response_of(spec.error());
  return json_response(200, template_json(*spec, who));
}

response create_template(api_services& services, const request& req, const principal& who) {
  if (auto refused = require_admin(who)) return *refused;
  auto body = parse_json_object(
      req, {"id", "name", "image", "limits", "env", "idle_timeout_s", "sudo_allowed"});
  if (!body) return body.error();
  accounts::workspace_template spec;
  auto id = optional_string(*body, "id", 64);
  if (!id) return id.error();
  spec.id = id->value_or("");
  if (!body->contains("name") || !body->contains("image")) {
    return invalid_response("`name` and `image` are required");
  }
  if (auto bad = apply_template_fields(*body, spec)) return *bad;
  auto created = services.accounts.create_template(std::move(spec), change_context_of(who, req));
  if (!created) return error_response_of(created.error());
  return json_response(201, template_json(*created, who));
}

response update_template(api_services& services, const request& req, const route_params& params,
                         const principal& who) {
  if (auto refused = require_admin(who)) return *refused;
  auto body =
      parse_json_object(req, {"name", "image", "limits", "env", "idle_timeout_s", "sudo_allowed"});
  if (!body) return body.error();
  auto spec = services.accounts.get_template(params.at("id"));
  if (!spec) return error_response_of(spec.error());
  if (auto bad = apply_template_fields(*body, *spec)) return *bad;
  auto updated = services.accounts.update_template(std::move(*spec), change_context_of(who, req));
  if (!updated) return error_response_of(updated.error());
  return json_response(200, template_json(*updated, who));
}

response delete_template(api_services& services, const request& req, const route_params& params,
                         const principal& who) {
  if (auto refused = require_admin(who)) return *refused;
  auto deleted = services.accounts.delete_template(params.at("id"), change_context_of(who, req));
  if (!deleted) return error_response_of(deleted.error());
  response out;
  out.status = 204;
  return out;
}

// Limits ------------------------------------------------------------------------------------

json::object quota_json(const accounts::quota& q) {
  return {{"max_workspaces", q.max_workspaces},
          {"max_running", q.max_running},
          {"memory_bytes", q.memory_bytes},
          {"nano_cpus", q.nano_cpus},
          {"pids", q.pids},
          {"max_tokens", q.max_tokens},
          {"max_secrets", q.max_secrets}};
}

json::object limits_json(const accounts::quota_table& table) {
  json::object per_user;
  for (const auto& [user_id, q] : table.per_user)
    per_user[user_id] = quota_json(q);
  return {{"global", quota_json(table.global)}, {"per_user", std::move(per_user)}};
}

/// A quota from a request; fields it leaves out keep `absent`'s values.
checked<accounts::quota> quota_from(const json::value& value, std::string_view where,
                                    const accounts::quota& absent) {
  auto object = expect_object(value, where,
                              {"max_workspaces", "max_running", "memory_bytes", "nano_cpus", "pids",
                               "max_tokens", "max_secrets"});
  if (!object) return tl::unexpected(object.error());
  accounts::quota q = absent;
  for (auto [key, field] :
       {std::pair{"max_workspaces", &q.max_workspaces}, std::pair{"max_running", &q.max_running},
        std::pair{"memory_bytes", &q.memory_bytes}, std::pair{"nano_cpus", &q.nano_cpus},
        std::pair{"pids", &q.pids}, std::pair{"max_tokens", &q.max_tokens},
        std::pair{"max_secrets", &q.max_secrets}}) {
    if (auto bad = read_integer(**object, key, *field)) return tl::unexpected(*bad);
  }
  return q;
}

response get_limits(api_services& services, const principal& who) {
  if (auto refused = require_reader(who)) return *refused;
  auto table = services.accounts.limits();
  if (!table) return error_response_of(table.error());
  return json_response(200, limits_json(*table));
}

response set_limits(api_services& services, const request& req, const principal& who) {
  if (auto refused = require_admin(who)) return *refused;
  auto body = parse_json_object(req, {"global", "per_user"});
  if (!body) return body.error();
  accounts::quota_table table{.global = accounts::default_quota, .per_user = {}};
  if (const auto* global = body->if_contains("global")) {
    auto q = quota_from(*global, "global", accounts::default_quota);
    if (!q) return q.error();
    table.global = *q;
  }
  if (const auto* per_user = body->if_contains("per_user")) {
    if (!per_user->is_object()) return invalid_response("`per_user` must be an object");
    for (const auto& entry : per_user->as_object()) {
      auto q = quota_from(entry.value(), "per_user." + std::string(entry.key()), {});
      if (!q) return q.error();
      table.per_user[entry.key()] = *q;
    }
  }
  auto set = services.accounts.set_limits(table, change_context_of(who, req));
  if (!set) return error_response_of(set.error());
  return json_response(200, limits_json(table));
}

}  // namespace

void add_admin_routes(router& routes, api_services& services) {
  auto& s = services;
  routes.add("GET", "/api/templates",
             signed_in(s, [&s](const request&, const route_params&, const principal& who) {
               return list_templates(s, who);
             }));
  routes.add("GET", "/api/templates/{id}",
             signed_in(s, [&s](const request&, const route_params& params, const principal& who) {
               return get_template(s, params, who);
             }));
  routes.add("POST", "/api/templates",
             signed_in(s, [&s](const request& req, const route_params&, const principal& who) {
               return create_template(s, req, who);
             }));
  routes.add(
      "PUT", "/api/templates/{id}",
      signed_in(s, [&s](const request& req, const route_params& params, const principal& who) {
        return update_template(s, req, params, who);
      }));
  routes.add(
      "DELETE", "/api/templates/{id}",
      signed_in(s, [&s](const request& req, const route_params& params, const principal& who) {
        return delete_template(s, req, params, who);
      }));
  routes.add("GET", "/api/admin/limits",
             signed_in(s, [&s](const request&, const route_params&, const principal& who) {
               return get_limits(s, who);
             }));
  routes.add("PUT", "/api/admin/limits",
             signed_in(s, [&s](const request& req, const route_params&, const principal& who) {
               return set_limits(s, req, who);
             }));
}

}  // namespace berth::http
