#include "accounts/quota_rules.hpp"

#include <boost/json.hpp>

#include "accounts/failure.hpp"
#include "accounts/json_fields.hpp"

namespace berth::accounts {
namespace {

namespace json = boost::json;

json::object quota_data(const quota& q) {
  return {{"max_workspaces", q.max_workspaces},
          {"max_running", q.max_running},
          {"memory_bytes", q.memory_bytes},
          {"nano_cpus", q.nano_cpus},
          {"pids", q.pids},
          {"max_tokens", q.max_tokens},
          {"max_secrets", q.max_secrets}};
}

/// Fields a stored quota leaves out (events written before the field existed) take
/// `absent`'s: the defaults for the global quota, 0 (the global one's) for a user's.
quota parse_quota(const json_fields& data, const quota& absent) {
  quota q;
  q.max_workspaces = data.integer("max_workspaces").value_or(absent.max_workspaces);
  q.max_running = data.integer("max_running").value_or(absent.max_running);
  q.memory_bytes = data.integer("memory_bytes").value_or(absent.memory_bytes);
  q.nano_cpus = data.integer("nano_cpus").value_or(absent.nano_cpus);
  q.pids = data.integer("pids").value_or(absent.pids);
  q.max_tokens = data.integer("max_tokens").value_or(absent.max_tokens);
  q.max_secrets = data.integer("max_secrets").value_or(absent.max_secrets);
  return q;
}

result<void> check_quota(const quota& q, const std::string& where) {
  if (q.max_workspaces < 0 || q.max_running < 0 || q.memory_bytes < 0 || q.nano_cpus < 0 ||
      q.pids < 0 || q.max_tokens < 0 || q.max_secrets < 0) {
    return fail(error::code::invalid, where + ": quotas must not be negative (0 = unlimited)");
  }
  if (q.memory_bytes != 0 && q.memory_bytes < 64LL * 1024 * 1024) {
    return fail(error::code::invalid, where + ": memory_bytes must be 0 or at least 64 MiB");
  }
  if (q.nano_cpus != 0 && q.nano_cpus < 10'000'000) {
    return fail(error::code::invalid, where + ": nano_cpus must be 0 or at least 10000000");
  }
  if (q.pids != 0 && q.pids < 16) {
    return fail(error::code::invalid, where + ": pids must be 0 or at least 16");
  }
  return {};
}

std::int64_t either(std::int64_t own, std::int64_t fallback) {
  return own != 0 ? own : fallback;
}

}  // namespace

result<void> check_quota_table(const quota_table& table) {
  if (auto checked = check_quota(table.global, "global"); !checked) return checked;
  for (const auto& [user_id, q] : table.per_user) {
    if (user_id.empty() || user_id.size() > 256) {
      return fail(error::code::invalid, "per_user keys must be user ids");
    }
    if (auto checked = check_quota(q, "per_user." + user_id); !checked) return checked;
  }
  return {};
}

std::string limits_data_of(const quota_table& table) {
  json::object per_user;
  for (const auto& [user_id, q] : table.per_user)
    per_user[user_id] = quota_data(q);
  return json::serialize(
      json::object{{"global", quota_data(table.global)}, {"per_user", std::move(per_user)}});
}

std::optional<quota_table> parse_limits_data(std::string_view data) {
  const auto fields = json_fields::parse(data);
  if (!fields) return std::nullopt;
  const auto global = fields->object("global");
  if (!global) return std::nullopt;
  quota_table table;
  table.global = parse_quota(*global, default_quota);
  if (const auto per_user = fields->object("per_user")) {
    for (const auto& entry : per_user->raw()) {
      if (entry.value().is_object()) {
        table.per_user[entry.key()] = parse_quota(json_fields(entry.value().as_object()), quota{});
      }
    }
  }
  return table;
}

quota effective_quota_of(const quota_table& table, const std::string& user_id) {
  const auto found = table.per_user.find(user_id);
  if (found == table.per_user.end()) return table.global;
  const auto& own = found->second;
  const auto& global = table.global;
  return {either(own.max_workspaces, global.max_workspaces),
          either(own.max_running, global.max_running),
          either(own.memory_bytes, global.memory_bytes),
          either(own.nano_cpus, global.nano_cpus),
          either(own.pids, global.pids),
          either(own.max_tokens, global.max_tokens),
          either(own.max_secrets, global.max_secrets)};
}

}  // namespace berth::accounts
