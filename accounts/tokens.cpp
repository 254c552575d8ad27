#include <algorithm>

#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"
#include "auth/api_token.hpp"

namespace berth::accounts {

result<std::pair<token_info, std::string>> account_service::create_token(
    const std::string& user_id, const std::string& name, std::int64_t expires_ms,
    const change_context& ctx) {
  return issue_token(user_id, name, expires_ms, "", ctx);
}

result<std::pair<token_info, std::string>> account_service::issue_token(
    const std::string& user_id, const std::string& name, std::int64_t expires_ms,
    const std::string& session_id, const change_context& ctx) {
  auto& self = *impl_;
  auto generated = auth::generate_api_token();
  auto quota = effective_quota(user_id);
  if (!quota) return tl::unexpected(quota.error());
  const user_command::create_token command{generated.id,      name,      expires_ms, self.now_ms(),
                                           quota->max_tokens, session_id};
  // Refuse bad input before writing the hash row.
  auto state = self.existing_user(user_id);
  if (!state) return tl::unexpected(state.error());
  if (auto checked = decide(*state, command); !checked) return tl::unexpected(checked.error());
  // The hash row comes first: it grants nothing until ApiTokenCreated is in the stream.
  auto stored = self.sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO auth_api_tokens (token_id, user_id, secret_hash) VALUES ($1, $2, $3)",
        generated.id, user_id, generated.secret_hash);
    tx.commit();
  });
  if (!stored) return tl::unexpected(stored.error());
  auto next = self.execute(user_id, command, ctx);
  if (!next) {
    (void)self.sql([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params("DELETE FROM auth_api_tokens WHERE token_id = $1", generated.id);
      tx.commit();
    });
    return tl::unexpected(next.error());
  }
  return std::pair{next->tokens.at(generated.id).info, std::move(generated.text)};
}

result<std::vector<token_info>> account_service::list_tokens(const std::string& user_id) {
  auto state = impl_->existing_user(user_id);
  if (!state) return tl::unexpected(state.error());
  std::vector<token_info> tokens;
  for (const auto& [id, token] : state->tokens) {
    if (!token.revoked) tokens.push_back(token.info);
  }
  std::sort(tokens.begin(), tokens.end(), [](const token_info& a, const token_info& b) {
    return std::tie(a.created_ms, a.id) < std::tie(b.created_ms, b.id);
  });
  return tokens;
}

result<void> account_service::revoke_token(const std::string& user_id, const std::string& token_id,
                                           const change_context& ctx) {
  auto& self = *impl_;
  auto revoked = self.execute(user_id, user_command::revoke_token{token_id}, ctx);
  if (!revoked) return tl::unexpected(revoked.error());
  // The event already refuses the token; dropping its hash is hygiene, so a failure here
  // does not undo the revocation.
  (void)self.sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("DELETE FROM auth_api_tokens WHERE token_id = $1 AND user_id = $2", token_id,
                   user_id);
    tx.commit();
  });
  return {};
}

}  // namespace berth::accounts
