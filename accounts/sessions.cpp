// Logins, logouts and resolving a request's credentials.
#include <algorithm>

#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"
#include "auth/api_token.hpp"
#include "auth/jwt.hpp"
#include "telemetry/log.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

/// One message for an unknown user and a wrong password, so a login never says which.
constexpr std::string_view wrong_credentials = "wrong username or password";

/// `method` of UserLoggedIn for a username and password login, the only kind there is.
constexpr std::string_view password_method = "password";

std::int64_t to_ms(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

struct stored_credentials {
  std::string user_id, password_hash;
};

struct stored_token {
  std::string user_id, secret_hash;
  std::int64_t user_version = 0;  ///< of the owner's stream
};

/// Logs why a login event was not recorded. Recording is history, not a guard: the login,
/// failure or logout it describes has happened, so failing it now would help nobody.
void log_unrecorded(std::string_view type, const std::string& user_id, const error& failure) {
  telemetry::log(telemetry::level::warn, "accounts.sessions", "login event not recorded",
                 {{"event", type}, {"user_id", user_id}, {"error", failure.message}});
}

}  // namespace

result<void> account_service::impl::record(const user_state& state,
                                           const user_command_variant& command,
                                           const change_context& ctx) {
  auto decided = decide(state, command);
  if (!decided) return tl::unexpected(decided.error());
  events::append_request request{
      user_stream(state.profile.id), "", events::expected_version::any, {}};
  const auto metadata = event_metadata(ctx, node);
  for (const auto& event : *decided) {
    request.events.push_back(events::new_event{events::make_uuid_v7(), event_type_of(event), 1,
                                               event_data_of(event), std::nullopt, metadata});
  }
  if (auto appended = store.append(std::move(request)); !appended) {
    return tl::unexpected(error_of(appended.error()));
  }
  return {};
}

result<account_service::impl::signed_session> account_service::impl::sign_session(
    const user_state& state) {
  auto claims = auth::make_session_claims(
      state.profile.id,
      std::max<std::chrono::system_clock::time_point>(now(), sessions_valid_from(state)),
      opts.session_lifetime);
  auto jwt = auth::sign_jwt(claims, opts.jwt_secret);
  if (!jwt) return fail(code::internal, "cannot sign a session: " + jwt.error().message);
  return signed_session{std::move(claims), std::move(*jwt)};
}

result<login_outcome> account_service::login(const std::string& username,
                                             const std::string& password, bool want_token,
                                             const change_context& ctx) {
  auto& self = *impl_;
  const auto decision = self.throttle.try_login(username, ctx.remote_address);
  if (!decision.allowed) {
    const auto wait_s = decision.retry_after.count();
    // Logged, not recorded: a refused attempt costs nothing, so there is no bound on how
    // many an attacker sends, and each would grow the user's stream.
    telemetry::log(telemetry::level::info, "accounts.sessions", "login throttled",
                   {{"username", username},
                    {"address", ctx.remote_address},
                    {"retry_after_s", std::int64_t{wait_s}}});
    return tl::unexpected(
        error{code::rate_limited,
              "too many failed logins; try again in " + std::to_string(wait_s) + " s", wait_s});
  }
  // Failures of a known user are recorded on their stream. The throttle bounds how many
  // one (username, address) pair can cause: five at once, then one per delay doubling from
  // 1 s up to 15 minutes (about 100 a day), and each address 50 per 15 minutes across all
  // usernames. Recording never decides the outcome: when it fails, it is logged.
  const auto record_failure = [&](const user_state& state, login_failure reason) {
    if (auto recorded =
            self.record(state, user_command::record_login_failure{ctx.remote_address, reason}, ctx);
        !recorded) {
      log_unrecorded("UserLoginFailed", state.profile.id, recorded.error());
    }
  };
  auto found = self.sql([&](pqxx::connection& c) -> std::optional<stored_credentials> {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    const auto rows = tx.exec_params(
        "SELECT user_id, password_hash FROM auth_credentials WHERE username = $1", username);
    if (rows.empty()) return std::nullopt;
    return stored_credentials{rows[0][0].c_str(), rows[0][1].c_str()};
  });
  if (!found) return tl::unexpected(found.error());
  if (!*found) {
    // Verify against a decoy, so an unknown name costs the same Argon2id time as a known one.
    (void)auth::verify_password(password, self.decoy_password_hash());
    // No stream to record it on, and creating one per made-up name would let anyone grow
    // the store at will: the log keeps it.
    telemetry::log(telemetry::level::info, "accounts.sessions", "login of an unknown username",
                   {{"username", username}, {"address", ctx.remote_address}});
    return fail(code::unauthenticated, std::string(wrong_credentials));
  }
  const auto& credentials = **found;
  const auto verified = auth::verify_password(password, credentials.password_hash);
  if (!verified && verified.error().code != auth::error_code::wrong_password) {
    return fail(code::internal, "the stored password hash is unreadable");
  }
  auto state = self.load_user(credentials.user_id);
  if (!state) return tl::unexpected(state.error());
  // A reserved name whose UserCreated never landed: no stream to record on, as for unknown.
  if (!state->exists) return fail(code::unauthenticated, std::string(wrong_credentials));
  if (!verified) {
    record_failure(*state, login_failure::wrong_password);
    return fail(code::unauthenticated, std::string(wrong_credentials));
  }
  if (state->profile.disabled) {
    record_failure(*state, login_failure::disabled);
    return fail(code::unauthenticated, "this account is disabled");
  }
  self.throttle.succeeded(username, ctx.remote_address);
  if (auth::needs_rehash(credentials.password_hash, self.opts.password_limits)) {
    // Upgrading the hash to the current limits is best effort: the login succeeds anyway.
    if (auto rehashed = auth::hash_password(password, self.opts.password_limits)) {
      (void)self.sql([&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec_params(
            "UPDATE auth_credentials SET password_hash = $2 WHERE user_id = $1 AND "
            "password_hash = $3",
            credentials.user_id, *rehashed, credentials.password_hash);
        tx.commit();
      });
    }
  }
  auto session = self.sign_session(*state);
  if (!session) return tl::unexpected(session.error());
  const auto& claims = session->claims;
  login_outcome outcome{state->profile, std::move(session->token), to_ms(claims.expires_at),
                        std::nullopt};
  if (want_token) {
    // The token lives as long as the session it came with, and ends with its logout.
    auto token_ctx = ctx;
    token_ctx.actor_id = credentials.user_id;
    auto token =
        issue_token(credentials.user_id, "login", outcome.expires_ms, claims.token_id, token_ctx);
    if (!token) return tl::unexpected(token.error());
    outcome.api_token = std::move(token->second);
  }
  // The session id is the JWT's `jti`: it names the session in the log without granting it.
  auto login_ctx = ctx;
  login_ctx.actor_id = credentials.user_id;
  const user_command::record_login logged_in{claims.token_id, ctx.remote_address,
                                             std::string(password_method),
                                             outcome.api_token.has_value()};
  if (auto recorded = self.record(*state, logged_in, login_ctx); !recorded) {
    log_unrecorded("UserLoggedIn", credentials.user_id, recorded.error());
  }
  return outcome;
}

result<void> account_service::logout(const principal& who, const change_context& ctx) {
  if (who.via == principal::method::cookie) {
    return end_login_session(who.user_id, who.credential_id, ctx);
  }
  // A login's token ends its login; a token made on its own is revoked on its own.
  auto state = impl_->load_user(who.user_id);
  if (!state) return tl::unexpected(state.error());
  const auto token = state->tokens.find(who.credential_id);
  if (token == state->tokens.end() || token->second.session_id.empty()) return {};
  return end_login_session(who.user_id, token->second.session_id, ctx);
}

result<void> account_service::end_login_session(const std::string& user_id,
                                                const std::string& session_id,
                                                const change_context& ctx) {
  auto& self = *impl_;
  // A session cannot outlive the configured lifetime (plus the allowed clock skew), so the
  // row can go after that; expired rows are swept here, on the path that adds them.
  const auto now_ms = self.now_ms();
  const auto keep_until_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(
                                          self.opts.session_lifetime + auth::allowed_clock_skew)
                                          .count();
  auto revoked = self.sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO auth_revoked_sessions (jti, expires_ms) VALUES ($1, $2) "
        "ON CONFLICT (jti) DO NOTHING",
        session_id, keep_until_ms);
    tx.exec_params("DELETE FROM auth_revoked_sessions WHERE expires_ms < $1", now_ms);
    tx.commit();
  });
  if (!revoked) return revoked;
  // The row revokes the session; the event is its history (see log_unrecorded).
  auto state = self.load_user(user_id);
  auto recorded = state ? self.record(*state, user_command::record_logout{session_id}, ctx)
                        : result<void>(tl::unexpected(state.error()));
  if (!recorded) log_unrecorded("UserLoggedOut", user_id, recorded.error());
  if (!state) return tl::unexpected(state.error());
  for (const auto& [token_id, token] : state->tokens) {
    if (token.revoked || token.session_id != session_id) continue;
    // Revoked already by a concurrent logout: not_found, and just as good.
    if (auto ended = revoke_token(user_id, token_id, ctx);
        !ended && ended.error().kind != code::not_found) {
      return ended;
    }
  }
  return {};
}

result<principal> account_service::authenticate_session(std::string_view jwt) {
  auto& self = *impl_;
  auto claims = auth::verify_jwt(jwt, self.opts.jwt_secret, self.now());
  if (!claims) {
    if (claims.error().code == auth::error_code::token_expired) {
      return fail(code::unauthenticated, "the session expired; log in again");
    }
    return fail(code::unauthenticated, "invalid session");
  }
  // One round trip per request: whether the session was logged out, and the user stream's
  // version (the event store's stream head), which says whether the folded user is current.
  struct session_check {
    bool revoked = false;
    std::int64_t user_version = 0;
  };
  auto checked = self.sql([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    const auto row =
        events::exec_prepared(tx, "session_check",
                              "SELECT EXISTS (SELECT 1 FROM auth_revoked_sessions WHERE jti = $1), "
                              "coalesce((SELECT version FROM es_streams WHERE stream_id = $2), 0)",
                              claims->token_id, user_stream(claims->subject))[0];
    return session_check{row[0].as<bool>(), row[1].as<std::int64_t>()};
  });
  if (!checked) return tl::unexpected(checked.error());
  if (checked->revoked) return fail(code::unauthenticated, "the session was logged out");
  // The stream, not a read model: a disable is seen by the very next request.
  auto state = self.load_user(claims->subject, checked->user_version);
  if (!state) return tl::unexpected(state.error());
  if (!state->exists || state->profile.disabled) {
    return fail(code::unauthenticated, "the account is disabled or gone");
  }
  if (claims->issued_at < sessions_valid_from(*state)) {
    return fail(code::unauthenticated, "the password changed; log in again");
  }
  const auto& profile = state->profile;
  return principal{
      profile.id,
      profile.username,
      profile.role,
      principal::method::cookie,
      claims->token_id,
      std::chrono::duration_cast<std::chrono::milliseconds>(claims->expires_at.time_since_epoch())
          .count()};
}

result<principal> account_service::authenticate_token(std::string_view token_text) {
  auto& self = *impl_;
  constexpr std::string_view refused = "unknown or revoked API token";
  auto parsed = auth::parse_api_token(token_text);
  if (!parsed) return fail(code::unauthenticated, "malformed API token");
  auto stored = self.sql([&](pqxx::connection& c) -> std::optional<stored_token> {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    const auto rows = events::exec_prepared(
        tx, "api_token_check",
        "SELECT t.user_id, t.secret_hash, coalesce(s.version, 0) FROM auth_api_tokens t "
        "LEFT JOIN es_streams s ON s.stream_id = 'user-' || t.user_id WHERE t.token_id = $1",
        parsed->id);
    if (rows.empty()) return std::nullopt;
    return stored_token{rows[0][0].c_str(), rows[0][1].c_str(), rows[0][2].as<std::int64_t>()};
  });
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored || !auth::verify_token_secret(parsed->secret, (*stored)->secret_hash)) {
    return fail(code::unauthenticated, std::string(refused));
  }
  auto state = self.load_user((*stored)->user_id, (*stored)->user_version);
  if (!state) return tl::unexpected(state.error());
  const auto token = state->tokens.find(parsed->id);
  // A hash row whose ApiTokenCreated never landed, or a revoked token: both refused.
  if (!state->exists || token == state->tokens.end() || token->second.revoked) {
    return fail(code::unauthenticated, std::string(refused));
  }
  const auto expires_ms = token->second.info.expires_ms;
  if (expires_ms != 0 && self.now_ms() >= expires_ms) {
    return fail(code::unauthenticated, "the API token expired");
  }
  if (state->profile.disabled) return fail(code::unauthenticated, "the account is disabled");
  const auto& profile = state->profile;
  return principal{profile.id, profile.username, profile.role, principal::method::token,
                   parsed->id, expires_ms};
}

}  // namespace berth::accounts
