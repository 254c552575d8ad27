#include "accounts/quota_rules.hpp"
#include "accounts/service_impl.hpp"

namespace berth::accounts {

result<quota_table> account_service::limits() {
  auto& self = *impl_;
  const std::string stream(limits_stream_id);
  auto version = self.store.stream_version(stream);
  if (!version) return tl::unexpected(error_of(version.error()));
  if (*version == 0) return quota_table{.global = default_quota, .per_user = {}};
  // Each LimitsSet carries the whole table, so the newest event is the whole state.
  auto newest = self.store.read_stream(stream, *version, 1);
  if (!newest) return tl::unexpected(error_of(newest.error()));
  if (newest->empty() || newest->front().type != "LimitsSet") {
    return fail(error::code::internal, "the newest system-limits event is not LimitsSet");
  }
  auto table = parse_limits_data(newest->front().data);
  if (!table) return fail(error::code::internal, "a stored LimitsSet is unreadable");
  return *table;
}

result<void> account_service::set_limits(const quota_table& table, const change_context& ctx) {
  auto& self = *impl_;
  if (auto checked = check_quota_table(table); !checked) return checked;
  for (const auto& [user_id, unused] : table.per_user) {
    auto state = self.load_user(user_id);
    if (!state) return tl::unexpected(state.error());
    if (!state->exists) return fail(error::code::invalid, "per_user: no user " + user_id);
  }
  const std::string stream(limits_stream_id);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto version = self.store.stream_version(stream);
    if (!version) return tl::unexpected(error_of(version.error()));
    auto appended = self.store.append(events::append_request{
        stream,
        "system",
        *version,
        {events::new_event{events::make_uuid_v7(), "LimitsSet", 1, limits_data_of(table),
                           std::nullopt, event_metadata(ctx, self.node)}}});
    if (appended) return {};
    if (appended.error().code != events::error_code::concurrency_conflict) {
      return tl::unexpected(error_of(appended.error()));
    }
  }
  return fail(error::code::conflict, "a concurrent change won; try again");
}

result<quota> account_service::effective_quota(const std::string& user_id) {
  auto table = limits();
  if (!table) return tl::unexpected(table.error());
  return effective_quota_of(*table, user_id);
}

}  // namespace berth::accounts
