#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

/// A reservation older than this whose user stream never appeared was left by a crash between
/// reserving and appending; the name may then be taken again.
constexpr std::int64_t abandoned_reservation_ms = 60'000;

tl::unexpected<error> password_failure(const auth::error& failure) {
  switch (failure.code) {
    case auth::error_code::password_too_short:
    case auth::error_code::password_too_long:
    case auth::error_code::password_not_utf8:
      return fail(code::invalid, failure.message);
    default:
      return fail(code::internal, "could not hash the password");
  }
}

}  // namespace

result<std::vector<user_state>> account_service::impl::all_users() {
  auto ids = sql([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    std::vector<std::string> found;
    for (const auto& row : tx.exec("SELECT user_id FROM auth_credentials ORDER BY username"))
      found.emplace_back(row[0].c_str());
    return found;
  });
  if (!ids) return tl::unexpected(ids.error());
  std::vector<user_state> users;
  for (const auto& id : *ids) {
    auto state = load_user(id);
    if (!state) return tl::unexpected(state.error());
    if (state->exists) users.push_back(std::move(*state));
  }
  return users;
}

result<void> account_service::impl::keep_an_admin(const user_state& state, bool stays_admin) {
  const auto& profile = state.profile;
  if (profile.role != role::admin || profile.disabled || stays_admin) return {};
  auto other = other_enabled_admin(profile.id);
  if (!other) return tl::unexpected(other.error());
  if (!*other) return fail(code::conflict, "the last enabled admin cannot be demoted or disabled");
  return {};
}

result<bool> account_service::impl::other_enabled_admin(const std::string& except_user_id) {
  auto users = all_users();
  if (!users) return tl::unexpected(users.error());
  for (const auto& state : *users) {
    const auto& profile = state.profile;
    if (profile.role == role::admin && !profile.disabled && profile.id != except_user_id) {
      return true;
    }
  }
  return false;
}

result<user> account_service::create_user(const std::string& username, const std::string& password,
                                          role r, const change_context& ctx) {
  auto checked = decide(user_state{}, user_command::create{"-", username, r, 0});
  if (!checked) return tl::unexpected(checked.error());
  auto hashed = auth::hash_password(password, impl_->opts.password_limits);
  if (!hashed) return password_failure(hashed.error());
  const auto user_id = events::make_uuid_v7();
  const auto now_ms = impl_->now_ms();
  // The username is reserved before the append: the unique index decides races, and a
  // reservation without a stream grants nothing (login folds the stream).
  auto reserved = impl_->sql([&](pqxx::connection& c) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      pqxx::work tx(c);
      const auto inserted = tx.exec_params(
          "INSERT INTO auth_credentials (user_id, username, password_hash, reserved_ms) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING",
          user_id, username, *hashed, now_ms);
      if (inserted.affected_rows() == 1) {
        tx.commit();
        return true;
      }
      const auto holder = tx.exec_params(
          "SELECT c.user_id FROM auth_credentials c WHERE c.username = $1 AND c.reserved_ms < $2 "
          "AND NOT EXISTS (SELECT 1 FROM es_streams s WHERE s.stream_id = 'user-' || c.user_id)",
          username, now_ms - abandoned_reservation_ms);
      if (holder.empty()) return false;
      tx.exec_params("DELETE FROM auth_credentials WHERE user_id = $1", holder[0][0].c_str());
      tx.commit();
    }
    return false;
  });
  if (!reserved) return tl::unexpected(reserved.error());
  if (!*reserved) return fail(code::conflict, "username " + username + " is taken");
  auto created = impl_->execute(user_id, user_command::create{user_id, username, r, now_ms}, ctx);
  if (!created) {
    // Release the name only when the append certainly did not land.
    impl_->sql([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params(
          "DELETE FROM auth_credentials WHERE user_id = $1 AND NOT EXISTS "
          "(SELECT 1 FROM es_streams WHERE stream_id = $2)",
          user_id, user_stream(user_id));
      tx.commit();
    });
    return tl::unexpected(created.error());
  }
  return created->profile;
}

result<user> account_service::get_user(const std::string& user_id) {
  auto state = impl_->existing_user(user_id);
  if (!state) return tl::unexpected(state.error());
  return state->profile;
}

result<std::vector<user>> account_service::list_users() {
  auto users = impl_->all_users();
  if (!users) return tl::unexpected(users.error());
  std::vector<user> profiles;
  for (auto& state : *users)
    profiles.push_back(std::move(state.profile));
  return profiles;
}

result<user> account_service::set_role(const std::string& user_id, role r,
                                       const change_context& ctx) {
  auto state = impl_->existing_user(user_id);
  if (!state) return tl::unexpected(state.error());
  if (auto kept = impl_->keep_an_admin(*state, r == role::admin); !kept) {
    return tl::unexpected(kept.error());
  }
  auto next = impl_->execute(user_id, user_command::set_role{r}, ctx);
  if (!next) return tl::unexpected(next.error());
  return next->profile;
}

result<user> account_service::set_disabled(const std::string& user_id, bool disabled,
                                           const change_context& ctx) {
  auto state = impl_->existing_user(user_id);
  if (!state) return tl::unexpected(state.error());
  if (auto kept = impl_->keep_an_admin(*state, !disabled); !kept) {
    return tl::unexpected(kept.error());
  }
  auto next = impl_->execute(user_id, user_command::set_disabled{disabled}, ctx);
  if (!next) return tl::unexpected(next.error());
  return next->profile;
}

result<void> account_service::change_password(const std::string& user_id,
                                              const std::string& new_password,
                                              const change_context& ctx) {
  auto hashed = auth::hash_password(new_password, impl_->opts.password_limits);
  if (!hashed) return password_failure(hashed.error());
  // The event comes first: a failure after it leaves an audit record of an attempt, never
  // a changed password without a record.
  auto changed = impl_->execute(user_id, user_command::change_password{impl_->now_ms()}, ctx);
  if (!changed) return tl::unexpected(changed.error());
  auto stored = impl_->sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto updated = tx.exec_params(
        "UPDATE auth_credentials SET password_hash = $2 WHERE user_id = $1", user_id, *hashed);
    tx.commit();
    return updated.affected_rows() == 1;
  });
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored) return fail(code::internal, "the user has no credentials row");
  return {};
}

result<bool> account_service::has_admin() {
  return impl_->other_enabled_admin("");
}

}  // namespace berth::accounts
