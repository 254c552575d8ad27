#pragma once

// The `user-<id>` stream as a pure aggregate: commands are decided on the folded state, events
// are applied by evolve. No I/O; the service (users.cpp) loads, decides and appends.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "accounts/accounts.hpp"

namespace berth::accounts {

/// An API token as the user's stream knows it (the hash lives in `auth_api_tokens`).
struct token_record {
  token_info info;
  bool revoked = false;
  std::string session_id;  ///< the login session it was issued with; empty: made on its own
};

/// A user folded from their stream.
struct user_state {
  bool exists = false;
  user profile;
  std::map<std::string, token_record> tokens;  ///< token id → token, revoked ones included
  std::set<std::string> secret_names;
  std::int64_t password_changed_ms = 0;
  std::int64_t version = 0;  ///< stream version of the last event folded
};

/// Why a login of a known user was refused. A throttled attempt is not one of them: it is
/// refused before the password is looked at, as often as anyone cares to try, so recording
/// it would let anyone grow the stream without bound.
enum class login_failure { wrong_password, disabled };
std::string_view to_string(login_failure reason);
std::optional<login_failure> parse_login_failure(std::string_view text);

/// The events of a `user-<id>` stream; docs/events.md describes each.
namespace user_event {
struct created {
  std::string user_id, username;
  accounts::role role = role::member;
  std::int64_t created_ms = 0;
};
struct password_changed {
  std::int64_t changed_ms = 0;
};
struct role_changed {
  accounts::role role = role::member;
};
struct disabled {};
struct enabled {};
struct token_created {
  std::string token_id, name;
  std::int64_t created_ms = 0, expires_ms = 0;
  std::string session_id;  ///< the login session's `jti` for a login's token, else empty
};
struct token_revoked {
  std::string token_id;
};
struct secret_set {
  std::string name;
};
struct secret_deleted {
  std::string name;
};
/// Logins are history for auditors, not state: evolve leaves the user as it was.
struct logged_in {
  std::string session_id;  ///< the session JWT's `jti`, never the JWT itself
  std::string address, method;
  bool token_issued = false;  ///< whether the login also created an API token
};
struct login_failed {
  std::string address;
  login_failure reason = login_failure::wrong_password;
};
struct logged_out {
  std::string session_id;
};
}  // namespace user_event

using user_event_variant =
    std::variant<user_event::created, user_event::password_changed, user_event::role_changed,
                 user_event::disabled, user_event::enabled, user_event::token_created,
                 user_event::token_revoked, user_event::secret_set, user_event::secret_deleted,
                 user_event::logged_in, user_event::login_failed, user_event::logged_out>;

/// Commands on a user; times and ids are chosen by the caller, so decide stays pure.
namespace user_command {
struct create {
  std::string user_id, username;
  accounts::role role = role::member;
  std::int64_t now_ms = 0;
};
struct change_password {
  std::int64_t now_ms = 0;
};
struct set_role {
  accounts::role role = role::member;
};
struct set_disabled {
  bool disabled = false;
};
struct create_token {
  std::string token_id, name;
  std::int64_t expires_ms = 0;  ///< 0 = never
  std::int64_t now_ms = 0;
  std::int64_t max_tokens = 0;  ///< the user's quota of live tokens; 0 = unlimited
  std::string session_id;       ///< the login session it comes with, if any
};
struct revoke_token {
  std::string token_id;
};
struct set_secret {
  std::string name;
  std::int64_t max_secrets = 0;  ///< the user's quota of secret names; 0 = unlimited
};
struct delete_secret {
  std::string name;
};
/// Records a login the service already allowed (password checked, user enabled).
struct record_login {
  std::string session_id, address, method;
  bool token_issued = false;
};
/// Records a refused login of this user.
struct record_login_failure {
  std::string address;
  login_failure reason = login_failure::wrong_password;
};
/// Records that a session was logged out.
struct record_logout {
  std::string session_id;
};
}  // namespace user_command

using user_command_variant =
    std::variant<user_command::create, user_command::change_password, user_command::set_role,
                 user_command::set_disabled, user_command::create_token, user_command::revoke_token,
                 user_command::set_secret, user_command::delete_secret, user_command::record_login,
                 user_command::record_login_failure, user_command::record_logout>;

/// The events a command produces, or why it was refused. Empty = nothing to record.
using user_decision = result<std::vector<user_event_variant>>;

/// Decides which events `command` produces on `state`. Pure.
user_decision decide(const user_state& state, const user_command_variant& command);
/// Applies one event. Pure and total: validation belongs in decide.
user_state evolve(user_state state, const user_event_variant& event);

/// True for 1 to 64 characters of [a-z0-9._-] starting with a letter or digit: lower case
/// only, so two names never differ by case alone.
bool is_valid_username(std::string_view name);
/// True for 1 to 64 printable ASCII characters (spaces allowed inside).
bool is_valid_token_name(std::string_view name);

/// The event's type name as stored (`UserCreated`, ...).
std::string event_type_of(const user_event_variant& event);
/// The event's `data` JSON text, exactly as docs/events.md lists the fields.
std::string event_data_of(const user_event_variant& event);
/// Parses a stored event; nothing for an unknown type or data without the required fields.
std::optional<user_event_variant> parse_user_event(std::string_view type, std::string_view data);

}  // namespace berth::accounts
