// A user changing their own password: the current one first, then the change, which ends
// every other session (sessions_valid_from in service_impl.hpp) and optionally every token.
#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

std::int64_t to_ms(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

result<std::optional<account_service::renewed_session>> account_service::change_own_password(
    const principal& who, const own_password_change& change, const change_context& ctx) {
  auto& self = *impl_;
  // Refuse a new password that breaks the policy before spending a guess of the current one.
  if (auto policy = auth::check_password_policy(change.new_password); !policy) {
    return fail(code::invalid, policy.error().message);
  }
  // A stolen cookie must not become a way to guess the password: the same throttle as a
  // login, for the same user and address.
  const auto decision = self.throttle.try_login(who.username, ctx.remote_address);
  if (!decision.allowed) {
    const auto wait_s = decision.retry_after.count();
    return tl::unexpected(
        error{code::rate_limited,
              "too many wrong passwords; try again in " + std::to_string(wait_s) + " s", wait_s});
  }
  auto stored_hash = self.sql([&](pqxx::connection& c) -> std::optional<std::string> {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot
    const auto rows = tx.exec_params(
        "SELECT password_hash FROM auth_credentials WHERE user_id = $1", who.user_id);
    if (rows.empty()) return std::nullopt;
    return std::string(rows[0][0].c_str());
  });
  if (!stored_hash) return tl::unexpected(stored_hash.error());
  if (!*stored_hash) return fail(code::not_found, "no such user");
  if (auto verified = auth::verify_password(change.current_password, **stored_hash); !verified) {
    if (verified.error().code == auth::error_code::wrong_password) {
      return fail(code::forbidden, "the current password is wrong");
    }
    return fail(code::internal, "the stored password hash is unreadable");
  }
  self.throttle.succeeded(who.username, ctx.remote_address);
  if (auto changed = change_password(who.user_id, change.new_password, ctx); !changed) {
    return tl::unexpected(changed.error());
  }
  if (change.revoke_tokens) {
    auto tokens = list_tokens(who.user_id);
    if (!tokens) return tl::unexpected(tokens.error());
    for (const auto& token : *tokens) {
      if (auto revoked = revoke_token(who.user_id, token.id, ctx); !revoked) {
        return tl::unexpected(revoked.error());
      }
    }
  }
  if (who.via != principal::method::cookie) return std::nullopt;
  auto state = self.load_user(who.user_id);
  if (!state) return tl::unexpected(state.error());
  auto session = self.sign_session(*state);
  if (!session) return tl::unexpected(session.error());
  return renewed_session{std::move(session->token), to_ms(session->claims.expires_at)};
}

}  // namespace berth::accounts
