#pragma once

// The `system-limits` stream's one event, LimitsSet, and the rules of a quota table. Pure.

#include <optional>
#include <string>
#include <string_view>

#include "accounts/accounts.hpp"

namespace berth::accounts {

/// Stream of the quota table.
inline constexpr std::string_view limits_stream_id = "system-limits";

/// Checks every quota: counts ≥ 0; resource caps 0 (unlimited) or at least what a template
/// needs (64 MiB, 10^7 nano CPUs, 16 pids); per-user keys non-empty.
result<void> check_quota_table(const quota_table& table);

/// `LimitsSet` data: `{global: {...}, per_user: {"<user id>": {...}}}`.
std::string limits_data_of(const quota_table& table);
/// Parses `LimitsSet` data; nothing when it is not an object with a `global` object.
std::optional<quota_table> parse_limits_data(std::string_view data);

/// The per-user quota's fields, each falling back to the global one where it is 0.
quota effective_quota_of(const quota_table& table, const std::string& user_id);

}  // namespace berth::accounts
