#pragma once

// The administrative side of Berth: users (event-sourced `user-<id>` streams) with their
// credentials, sessions, API tokens and secrets; workspace templates (`template-<id>`); and
// quotas (`system-limits`). Calls block on PostgreSQL: call them from HTTP worker threads or
// other blocking contexts, never from CAF scheduler or Asio threads. Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "auth/key.hpp"
#include "auth/password.hpp"

namespace berth::events {
class event_store;
}

namespace berth::accounts {

/// What a user may do: members their own workspaces, auditors read everything, admins all.
enum class role { member, auditor, admin };
std::string_view to_string(role value);
std::optional<role> parse_role(std::string_view text);

/// Why a call failed; the HTTP layer maps each code to one status.
struct error {
  enum class code {
    invalid,                 ///< 422: a name, password, value or field that breaks the rules
    not_found,               ///< 404
    conflict,                ///< 409: name taken, or a concurrent change won
    unauthenticated,         ///< 401: no, wrong, expired or revoked credentials
    forbidden,               ///< 403
    rate_limited,            ///< 429, with retry_after_s
    too_large,               ///< 413
    quota_exceeded,          ///< 409: the user's quota allows no more of this
    dependency_unavailable,  ///< 503: PostgreSQL unreachable
    internal,                ///< 500
  } kind = code::internal;
  std::string message;  ///< for people; never contains a secret
  std::int64_t retry_after_s = 0;
};
template <class T>
using result = tl::expected<T, error>;

/// Who caused a change, recorded in each event's metadata.
struct change_context {
  std::string actor_id = "system";  ///< a user id or `system`
  std::string remote_address;
  std::string trace_id;
};

/// A user as the API shows it (from the user's stream; never a hash).
struct user {
  std::string id, username;
  accounts::role role = role::member;
  bool disabled = false;
  std::int64_t created_ms = 0;
};

/// An authenticated caller.
struct principal {
  std::string user_id, username;
  accounts::role role = role::member;
  enum class method { cookie, token } via = method::cookie;
  std::string credential_id;  ///< the session's `jti` or the API token id
  /// When the credential ends by itself (the session's `exp`, the token's expiry), in ms
  /// since the epoch; 0 = never.
  std::int64_t expires_ms = 0;
};

/// An API token's public description.
struct token_info {
  std::string id, name;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  ///< 0 = never
};

/// Resource caps and counts; 0 means unlimited.
struct quota {
  std::int64_t max_workspaces = 0, max_running = 0;
  std::int64_t memory_bytes = 0, nano_cpus = 0, pids = 0;
  std::int64_t max_tokens = 0, max_secrets = 0;  ///< live (unrevoked, unexpired) tokens; names
  friend bool operator==(const quota&, const quota&) = default;
};

/// The global quota until an admin sets one (and each field a stored or submitted global
/// quota leaves out). Not unlimited: one member must not be able to take a shared server
/// whole by default.
/// - 20 workspaces: each keeps a volume on the server's disk for as long as it exists.
/// - 5 running: running workspaces hold memory and CPU; the default template caps each at
///   2 GiB and one CPU, so one member's stay within 10 GiB.
/// - 50 tokens, 100 secrets: each is read on every check of the user (folded from their
///   stream), and each secret goes into every new terminal's environment.
/// Resource caps (memory, CPU, pids) stay with the templates by default.
inline constexpr quota default_quota{
    .max_workspaces = 20, .max_running = 5, .max_tokens = 50, .max_secrets = 100};
/// The whole quota table (`LimitsSet` carries it whole each time).
struct quota_table {
  quota global;
  std::map<std::string, quota> per_user;  ///< user id → quota; a field 0 falls back to global
  friend bool operator==(const quota_table&, const quota_table&) = default;
};

/// A workspace template (`template-<id>`).
struct workspace_template {
  std::string id, name, image;
  std::int64_t memory_bytes = 2LL * 1024 * 1024 * 1024, nano_cpus = 1'000'000'000, pids = 512;
  std::map<std::string, std::string> env;  ///< configuration, not secret
  std::int64_t idle_timeout_s = 3600;      ///< 0 = never stop when idle
  bool sudo_allowed = false;
};

/// A successful login.
struct login_outcome {
  user who;
  std::string session_token;  ///< the JWT for the cookie
  std::int64_t expires_ms = 0;
  std::optional<std::string> api_token;  ///< when asked for: `berth_...`, shown once
};

class account_service {
 public:
  struct options {
    std::string database_url;
    std::string jwt_secret;                      ///< ≥ 32 bytes
    std::optional<auth::secret_key> master_key;  ///< without it, secrets are refused
    std::chrono::seconds session_lifetime{12 * 3600};
    auth::password_limits password_limits = auth::password_limits::interactive();
    std::string default_image;  ///< image of the built-in `default` template
    /// Wall clock for expiry checks and event times (tests inject one).
    std::function<std::chrono::system_clock::time_point()> clock = [] {
      return std::chrono::system_clock::now();
    };
  };
  account_service(events::event_store& store, options opts);
  ~account_service();
  account_service(const account_service&) = delete;
  account_service& operator=(const account_service&) = delete;

  // Users ---------------------------------------------------------------------------------
  /// Creates a user; `conflict` when the username is taken, `invalid` for a bad name/password.
  result<user> create_user(const std::string& username, const std::string& password, role r,
                           const change_context& ctx);
  result<user> get_user(const std::string& user_id);
  result<std::vector<user>> list_users();
  result<user> set_role(const std::string& user_id, role r, const change_context& ctx);
  result<user> set_disabled(const std::string& user_id, bool disabled, const change_context& ctx);
  /// Sets a user's password (an admin's reset, or the last step of change_own_password);
  /// every session of the user issued before it is refused from then on.
  result<void> change_password(const std::string& user_id, const std::string& new_password,
                               const change_context& ctx);
  /// A user changing their own password (`POST /api/me/password`).
  struct own_password_change {
    std::string current_password, new_password;
    bool revoke_tokens = false;  ///< also revoke every API token of the user
  };
  /// A session issued to replace the caller's cookie after a change that ended the others.
  struct renewed_session {
    std::string session_token;  ///< the JWT for the cookie
    std::int64_t expires_ms = 0;
  };
  /// Checks `current_password` (throttled like a login: `rate_limited`; `forbidden` when
  /// wrong), then sets the new one: every session issued before the change is refused from
  /// then on (here and on every node). A cookie caller gets a fresh session to keep working.
  result<std::optional<renewed_session>> change_own_password(const principal& who,
                                                             const own_password_change& change,
                                                             const change_context& ctx);
  /// True when at least one enabled admin exists.
  result<bool> has_admin();

  // Sessions and tokens -------------------------------------------------------------------
  /// Checks the throttle, then the password; `unauthenticated` (same message for an unknown
  /// user and a wrong password), `rate_limited` with retry_after_s.
  result<login_outcome> login(const std::string& username, const std::string& password,
                              bool want_token, const change_context& ctx);
  /// Ends the caller's login: revokes the session and records `UserLoggedOut`, and revokes
  /// the API token that login issued (`"token": true`), whether the caller came with the
  /// session's cookie or with that token. Nothing for a token made on its own (revoke it).
  result<void> logout(const principal& who, const change_context& ctx);
  /// Resolves a session JWT (cookie) or an API token (`berth_...`); disabled users,
  /// revoked sessions, revoked or expired tokens → `unauthenticated`.
  result<principal> authenticate_session(std::string_view jwt);
  result<principal> authenticate_token(std::string_view token_text);

  /// Creates a token; returns its description and the only copy of its text.
  result<std::pair<token_info, std::string>> create_token(const std::string& user_id,
                                                          const std::string& name,
                                                          std::int64_t expires_ms,
                                                          const change_context& ctx);
  result<std::vector<token_info>> list_tokens(const std::string& user_id);
  /// `not_found` for a token of another user.
  result<void> revoke_token(const std::string& user_id, const std::string& token_id,
                            const change_context& ctx);

  // Secrets -------------------------------------------------------------------------------
  result<void> set_secret(const std::string& user_id, const std::string& name,
                          const std::string& value, const change_context& ctx);
  result<void> delete_secret(const std::string& user_id, const std::string& name,
                             const change_context& ctx);
  result<std::vector<std::string>> secret_names(const std::string& user_id);
  /// Decrypted `NAME=value` strings for a container's or session's environment.
  result<std::vector<std::string>> secret_environment(const std::string& user_id);

  // Templates -----------------------------------------------------------------------------
  /// The built-in template `default` (options.default_image) is created on first use.
  result<std::vector<workspace_template>> list_templates();
  result<workspace_template> get_template(const std::string& template_id);
  result<workspace_template> create_template(workspace_template spec, const change_context& ctx);
  result<workspace_template> update_template(workspace_template spec, const change_context& ctx);
  result<void> delete_template(const std::string& template_id, const change_context& ctx);

  // Quotas --------------------------------------------------------------------------------
  result<quota_table> limits();
  result<void> set_limits(const quota_table& table, const change_context& ctx);
  /// The quota for one user: per-user fields, falling back to global ones where 0.
  result<quota> effective_quota(const std::string& user_id);

  // Credential watch (open terminal WebSockets, http/credential_watch.hpp) ------------------
  /// Where the watched users' streams and sessions stand at one moment.
  struct credential_versions {
    std::map<std::string, std::int64_t> user_versions;  ///< user id → stream version, 0: none
    std::vector<std::string> revoked_session_ids;       ///< the asked-for `jti`s logged out
  };
  /// In one query: the `user-<id>` stream versions of `user_ids`, and which `session_ids`
  /// (session `jti`s) were logged out (the revocation is a row; a logout's event is history).
  result<credential_versions> credential_versions_of(const std::vector<std::string>& user_ids,
                                                     const std::vector<std::string>& session_ids);

 private:
  /// create_token, for a token issued with the login session `session_id` (empty: none).
  result<std::pair<token_info, std::string>> issue_token(const std::string& user_id,
                                                         const std::string& name,
                                                         std::int64_t expires_ms,
                                                         const std::string& session_id,
                                                         const change_context& ctx);
  /// Revokes a login session (`jti`), records its logout and revokes its login tokens.
  result<void> end_login_session(const std::string& user_id, const std::string& session_id,
                                 const change_context& ctx);

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::accounts
