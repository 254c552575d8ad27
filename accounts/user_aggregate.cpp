#include "accounts/user_aggregate.hpp"

#include <algorithm>
#include <type_traits>

#include "accounts/failure.hpp"
#include "auth/secret_box.hpp"

namespace berth::accounts {
namespace {

namespace ev = user_event;
namespace cmd = user_command;
using code = error::code;
using event_list = std::vector<user_event_variant>;

/// Longest name of a user or an API token.
constexpr std::size_t max_name_size = 64;

struct decider {
  const user_state& state;

  user_decision operator()(const cmd::create& c) const {
    if (state.exists) return fail(code::conflict, "the user already exists");
    if (c.user_id.empty()) return fail(code::invalid, "a user id is required");
    if (!is_valid_username(c.username)) {
      return fail(code::invalid,
                  "username must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a "
                  "letter or digit");
    }
    return event_list{ev::created{c.user_id, c.username, c.role, c.now_ms}};
  }

  user_decision operator()(const cmd::change_password& c) const {
    if (!state.exists) return no_such_user();
    return event_list{ev::password_changed{c.now_ms}};
  }

  user_decision operator()(const cmd::set_role& c) const {
    if (!state.exists) return no_such_user();
    if (state.profile.role == c.role) return event_list{};
    return event_list{ev::role_changed{c.role}};
  }

  user_decision operator()(const cmd::set_disabled& c) const {
    if (!state.exists) return no_such_user();
    if (state.profile.disabled == c.disabled) return event_list{};
    if (c.disabled) return event_list{ev::disabled{}};
    return event_list{ev::enabled{}};
  }

  user_decision operator()(const cmd::create_token& c) const {
    if (!state.exists) return no_such_user();
    if (state.profile.disabled) return fail(code::forbidden, "the user is disabled");
    if (c.token_id.empty()) return fail(code::invalid, "a token id is required");
    if (state.tokens.contains(c.token_id)) return fail(code::conflict, "the token id is taken");
    if (!is_valid_token_name(c.name)) {
      return fail(code::invalid, "token name must be 1 to 64 printable ASCII characters");
    }
    if (c.expires_ms != 0 && c.expires_ms <= c.now_ms) {
      return fail(code::invalid, "expires_ms must be 0 (never) or in the future");
    }
    if (c.max_tokens > 0) {
      const auto live = std::count_if(state.tokens.begin(), state.tokens.end(), [&](const auto& t) {
        const auto& [id, token] = t;
        return !token.revoked && (token.info.expires_ms == 0 || token.info.expires_ms > c.now_ms);
      });
      if (live >= c.max_tokens) {
        return fail(code::quota_exceeded, "you have " + std::to_string(live) +
                                              " tokens, the most your quota allows; revoke one");
      }
    }
    return event_list{ev::token_created{c.token_id, c.name, c.now_ms, c.expires_ms, c.session_id}};
  }

  user_decision operator()(const cmd::revoke_token& c) const {
    if (!state.exists) return no_such_user();
    const auto found = state.tokens.find(c.token_id);
    // A revoked token reads as missing: revoking is not repeated, and ids stay unguessable.
    if (found == state.tokens.end() || found->second.revoked) {
      return fail(code::not_found, "no such token");
    }
    return event_list{ev::token_revoked{c.token_id}};
  }

  user_decision operator()(const cmd::set_secret& c) const {
    if (!state.exists) return no_such_user();
    if (auto checked = auth::check_secret_name(c.name); !checked) {
      return fail(code::invalid, checked.error().message);
    }
    if (auth::is_reserved_environment_name(c.name)) {
      return fail(code::invalid, c.name +
                                     " is reserved: shells and the system read it to decide how "
                                     "they run; choose another name");
    }
    // Replacing a secret's value never counts against the quota; a new name does.
    const auto count = static_cast<std::int64_t>(state.secret_names.size());
    if (c.max_secrets > 0 && !state.secret_names.contains(c.name) && count >= c.max_secrets) {
      return fail(code::quota_exceeded, "you have " + std::to_string(count) +
                                            " secrets, the most your quota allows; delete one");
    }
    return event_list{ev::secret_set{c.name}};
  }

  user_decision operator()(const cmd::delete_secret& c) const {
    if (!state.exists) return no_such_user();
    if (!state.secret_names.contains(c.name)) return fail(code::not_found, "no such secret");
    return event_list{ev::secret_deleted{c.name}};
  }

  user_decision operator()(const cmd::record_login& c) const {
    if (!state.exists) return no_such_user();
    if (state.profile.disabled) return fail(code::forbidden, "the user is disabled");
    if (c.session_id.empty()) return fail(code::invalid, "a session id is required");
    if (c.method.empty()) return fail(code::invalid, "a login method is required");
    return event_list{ev::logged_in{c.session_id, c.address, c.method, c.token_issued}};
  }

  user_decision operator()(const cmd::record_login_failure& c) const {
    if (!state.exists) return no_such_user();
    return event_list{ev::login_failed{c.address, c.reason}};
  }

  user_decision operator()(const cmd::record_logout& c) const {
    if (!state.exists) return no_such_user();
    if (c.session_id.empty()) return fail(code::invalid, "a session id is required");
    return event_list{ev::logged_out{c.session_id}};
  }

  static user_decision no_such_user() { return fail(code::not_found, "no such user"); }
};

struct evolver {
  user_state& state;

  void operator()(const ev::created& e) const {
    state.exists = true;
    state.profile = user{e.user_id, e.username, e.role, false, e.created_ms};
  }
  void operator()(const ev::password_changed& e) const { state.password_changed_ms = e.changed_ms; }
  void operator()(const ev::role_changed& e) const { state.profile.role = e.role; }
  void operator()(const ev::disabled&) const { state.profile.disabled = true; }
  void operator()(const ev::enabled&) const { state.profile.disabled = false; }
  void operator()(const ev::token_created& e) const {
    state.tokens[e.token_id] =
        token_record{{e.token_id, e.name, e.created_ms, e.expires_ms}, false, e.session_id};
  }
  void operator()(const ev::token_revoked& e) const {
    if (auto found = state.tokens.find(e.token_id); found != state.tokens.end()) {
      found->second.revoked = true;
    }
  }
  void operator()(const ev::secret_set& e) const { state.secret_names.insert(e.name); }
  void operator()(const ev::secret_deleted& e) const { state.secret_names.erase(e.name); }
  void operator()(const ev::logged_in&) const {}
  void operator()(const ev::login_failed&) const {}
  void operator()(const ev::logged_out&) const {}
};

}  // namespace

std::string_view to_string(role value) {
  switch (value) {
    case role::member:
      return "member";
    case role::auditor:
      return "auditor";
    case role::admin:
      return "admin";
  }
  return "member";
}

std::optional<role> parse_role(std::string_view text) {
  if (text == "member") return role::member;
  if (text == "auditor") return role::auditor;
  if (text == "admin") return role::admin;
  return std::nullopt;
}

std::string_view to_string(login_failure reason) {
  switch (reason) {
    case login_failure::wrong_password:
      return "wrong_password";
    case login_failure::disabled:
      return "disabled";
  }
  return "wrong_password";
}

std::optional<login_failure> parse_login_failure(std::string_view text) {
  if (text == "wrong_password") return login_failure::wrong_password;
  if (text == "disabled") return login_failure::disabled;
  return std::nullopt;
}

bool is_valid_username(std::string_view name) {
  if (name.empty() || name.size() > max_name_size) return false;
  const auto letter_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!letter_or_digit(name.front())) return false;
  for (const char c : name) {
    if (!letter_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool is_valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_size) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  for (const char c : name) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

user_decision decide(const user_state& state, const user_command_variant& command) {
  return std::visit(decider{state}, command);
}

user_state evolve(user_state state, const user_event_variant& event) {
  std::visit(evolver{state}, event);
  return state;
}

}  // namespace berth::accounts
