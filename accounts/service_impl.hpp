#pragma once

// The state shared by the account service's files (users.cpp, sessions.cpp, tokens.cpp,
// secrets.cpp, templates.cpp, limits.cpp). Internal to accounts/.

#include <atomic>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "accounts/accounts.hpp"
#include "accounts/failure.hpp"
#include "accounts/template_aggregate.hpp"
#include "accounts/user_aggregate.hpp"
#include "auth/jwt.hpp"
#include "auth/login_throttle.hpp"
#include "events/connection_pool.hpp"
#include "events/event_store.hpp"
#include "events/uuid.hpp"

namespace berth::accounts {

/// The service's error for an event-store or database error.
error error_of(const events::error& failure);

/// Event metadata: {"actor", "remote_address" (when known), "trace_id" (when known), "node"}.
std::string event_metadata(const change_context& ctx, const std::string& node);

/// The first second from which the user's sessions are valid: the one after their last
/// password change (0 when it never changed). A JWT issued before (`iat` earlier) is refused,
/// so a password change ends every session made with the old password; `iat` has whole
/// seconds, hence the next second, and sessions issued in the second of the change get that
/// second as their `iat` (`verify_jwt` accepts an `iat` up to a minute ahead).
inline std::chrono::sys_seconds sessions_valid_from(const user_state& state) {
  if (state.password_changed_ms <= 0) return {};
  return std::chrono::sys_seconds{std::chrono::seconds{state.password_changed_ms / 1000 + 1}};
}

/// `user-<id>` and `template-<id>`.
std::string user_stream(const std::string& user_id);
std::string template_stream(const std::string& template_id);

struct account_service::impl {
  impl(events::event_store& event_store, options options_in);

  events::event_store& store;
  const options opts;
  events::connection_pool pool;  ///< for the auth_* tables
  auth::login_throttle throttle;
  const std::string node;  ///< this host, for event metadata
  std::atomic<bool> default_template_ready{false};

  std::chrono::system_clock::time_point now() const { return opts.clock(); }
  std::int64_t now_ms() const;

  /// Runs `work(pqxx::connection&)` on a pooled connection; database errors become ours.
  template <class Work>
  auto sql(Work&& work) {
    auto outcome = pool.run(std::forward<Work>(work));
    using value_type = typename decltype(outcome)::value_type;
    if (!outcome) return result<value_type>(tl::unexpected(error_of(outcome.error())));
    if constexpr (std::is_void_v<value_type>) {
      return result<void>{};
    } else {
      return result<value_type>(std::move(*outcome));
    }
  }

  /// Calls `visit` for each event of a stream after `after_version`, in pages (no helper
  /// thread: this runs per request). The stream's version (`after_version` when nothing new).
  result<std::int64_t> fold(const std::string& stream_id, std::int64_t after_version,
                            const std::function<void(const events::recorded_event&)>& visit);

  /// The user's current state: the last state this service folded, brought up to date with
  /// the events appended since (one indexed read that usually returns no rows), so every
  /// call still sees every committed change, from any node.
  result<user_state> load_user(const std::string& user_id);
  /// The same, when the caller has just read the stream's version (`stream_version`, 0 when
  /// it does not exist) in its own query: a folded state at that version needs no read.
  result<user_state> load_user(const std::string& user_id, std::int64_t stream_version);
  /// The user, or `not_found`.
  result<user_state> existing_user(const std::string& user_id);
  result<template_state> load_template(const std::string& template_id);

  /// Folds the stream, decides `command`, appends the events at the folded version. When a
  /// concurrent append won, folds and decides once more; a second loss is `conflict`.
  result<user_state> execute(const std::string& user_id, const user_command_variant& command,
                             const change_context& ctx);
  result<template_state> execute(const std::string& template_id,
                                 const template_command_variant& command,
                                 const change_context& ctx);
  /// Decides `command` on `state` (just loaded) and appends its events at whatever version
  /// the stream has reached by then, never retrying: for login history, whose decision needs
  /// only a user that exists (users are never deleted), so no concurrent change can make a
  /// login wait on a conflict. Defined in sessions.cpp.
  result<void> record(const user_state& state, const user_command_variant& command,
                      const change_context& ctx);

  /// Every user with a stream, ordered by username (reserved names without one are skipped).
  result<std::vector<user_state>> all_users();
  /// True when an enabled admin other than `except_user_id` exists.
  result<bool> other_enabled_admin(const std::string& except_user_id);
  /// `conflict` when the change would leave no enabled admin: `state` is an enabled admin
  /// and does not stay one.
  result<void> keep_an_admin(const user_state& state, bool stays_admin);

  /// The user's data key, unwrapped with the master key; created (and stored wrapped) when
  /// missing and `create_missing`, else nothing. Needs opts.master_key.
  result<std::optional<auth::secret_key>> data_key(const std::string& user_id, bool create_missing);

  /// A new session of `state`'s user: its claims and the signed JWT. Its `iat` is never
  /// before sessions_valid_from, so a session issued right after a password change holds.
  struct signed_session {
    auth::jwt_claims claims;
    std::string token;
  };
  result<signed_session> sign_session(const user_state& state);

  /// Creates the `default` template unless its stream exists (idempotent: fixed event id).
  result<void> ensure_default_template();

  /// An Argon2id hash of a random password, verified against for unknown users so that a
  /// login takes as long whether or not the user exists.
  const std::string& decoy_password_hash();

 private:
  template <class State, class Load, class Decide>
  result<State> decide_and_append(const std::string& stream_id, Load load, Decide decide,
                                  const change_context& ctx);

  std::once_flag decoy_once_;
  std::string decoy_hash_;
  /// The newest state folded per user (one entry per user: bounded by the users that exist).
  std::mutex folded_users_mutex_;
  std::unordered_map<std::string, user_state> folded_users_;
};

template <class State, class Load, class Decide>
result<State> account_service::impl::decide_and_append(const std::string& stream_id, Load load,
                                                       Decide decide_events,
                                                       const change_context& ctx) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto state = load();
    if (!state) return tl::unexpected(state.error());
    auto decided = decide_events(*state);
    if (!decided) return tl::unexpected(decided.error());
    if (decided->empty()) return state;
    events::append_request request{stream_id, "", state->version, {}};
    State next = *state;
    const auto metadata = event_metadata(ctx, node);
    for (const auto& event : *decided) {
      request.events.push_back(events::new_event{events::make_uuid_v7(), event_type_of(event), 1,
                                                 event_data_of(event), std::nullopt, metadata});
      next = evolve(std::move(next), event);
    }
    auto appended = store.append(std::move(request));
    if (appended) {
      next.version = appended->last_version;
      return next;
    }
    if (appended.error().code != events::error_code::concurrency_conflict) {
      return tl::unexpected(error_of(appended.error()));
    }
  }
  return fail(error::code::conflict, "a concurrent change won; try again");
}

}  // namespace berth::accounts
