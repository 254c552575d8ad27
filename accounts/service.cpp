#include <unistd.h>

#include <boost/json.hpp>

#include "accounts/service_impl.hpp"
#include "auth/random.hpp"
#include "telemetry/span.hpp"

namespace berth::accounts {
namespace {

/// Connections for the auth_* tables; each call holds one only for a statement or two.
constexpr std::size_t auth_connections = 4;

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

error error_of(const events::error& failure) {
  switch (failure.code) {
    case events::error_code::concurrency_conflict:
      return {error::code::conflict, failure.message, 0};
    case events::error_code::not_found:
      return {error::code::not_found, failure.message, 0};
    case events::error_code::dependency_unavailable:
      return {error::code::dependency_unavailable, "the database is unreachable", 0};
    case events::error_code::invalid_argument:
    case events::error_code::corrupted:
    case events::error_code::internal:
      break;
  }
  return {error::code::internal, failure.message, 0};
}

std::string event_metadata(const change_context& ctx, const std::string& node) {
  boost::json::object metadata{{"actor", ctx.actor_id.empty() ? "system" : ctx.actor_id}};
  if (!ctx.remote_address.empty()) metadata["remote_address"] = ctx.remote_address;
  if (!ctx.trace_id.empty()) metadata["trace_id"] = ctx.trace_id;
  // Appends run on the request's thread: its current span is the one that caused them.
  if (const auto cause = telemetry::current_context();
      cause.valid() && cause.trace_id_hex() == ctx.trace_id) {
    metadata["span_id"] = cause.span_id_hex();
  }
  metadata["node"] = node;
  return boost::json::serialize(metadata);
}

std::string user_stream(const std::string& user_id) {
  return "user-" + user_id;
}
std::string template_stream(const std::string& template_id) {
  return "template-" + template_id;
}

account_service::impl::impl(events::event_store& event_store, options options_in)
    : store(event_store),
      opts(std::move(options_in)),
      pool(opts.database_url, auth_connections),
      throttle(auth::login_limits{}, [] { return std::chrono::steady_clock::now(); }),
      node(host_name()) {}

std::int64_t account_service::impl::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
}

result<std::int64_t> account_service::impl::fold(
    const std::string& stream_id, std::int64_t after_version,
    const std::function<void(const events::recorded_event&)>& visit) {
  constexpr std::size_t page = 1000;
  std::int64_t version = after_version;
  for (;;) {
    auto events = store.read_stream(stream_id, version + 1, page);
    if (!events) return tl::unexpected(error_of(events.error()));
    for (const auto& event : *events) {
      visit(event);
      version = event.stream_version;
    }
    if (events->size() < page) return version;
  }
}

result<user_state> account_service::impl::load_user(const std::string& user_id,
                                                    std::int64_t stream_version) {
  {
    std::lock_guard lock(folded_users_mutex_);
    if (const auto known = folded_users_.find(user_id);
        known != folded_users_.end() && known->second.version >= stream_version) {
      return known->second;
    }
  }
  if (stream_version == 0) return user_state{};
  return load_user(user_id);
}

result<user_state> account_service::impl::load_user(const std::string& user_id) {
  user_state state;
  {
    std::lock_guard lock(folded_users_mutex_);
    if (const auto known = folded_users_.find(user_id); known != folded_users_.end()) {
      state = known->second;
    }
  }
  const auto known_version = state.version;
  auto version =
      fold(user_stream(user_id), known_version, [&](const events::recorded_event& recorded) {
        // Unknown types are newer code's events: skipped, as projections skip them.
        if (auto event = parse_user_event(recorded.type, recorded.data)) {
          state = evolve(std::move(state), *event);
        }
      });
  if (!version) return tl::unexpected(version.error());
  state.version = *version;
  if (state.version > known_version) {
    std::lock_guard lock(folded_users_mutex_);
    // Another caller may have stored a newer fold meanwhile: keep the newest.
    auto& kept = folded_users_[user_id];
    if (kept.version < state.version) kept = state;
  }
  return state;
}

result<user_state> account_service::impl::existing_user(const std::string& user_id) {
  auto state = load_user(user_id);
  if (state && !state->exists) return fail(error::code::not_found, "no such user");
  return state;
}

result<template_state> account_service::impl::load_template(const std::string& template_id) {
  template_state state;
  auto version = fold(template_stream(template_id), 0, [&](const events::recorded_event& recorded) {
    if (auto event = parse_template_event(recorded.type, recorded.data)) {
      state = evolve(std::move(state), *event);
    }
  });
  if (!version) return tl::unexpected(version.error());
  state.version = *version;
  return state;
}

result<user_state> account_service::impl::execute(const std::string& user_id,
                                                  const user_command_variant& command,
                                                  const change_context& ctx) {
  return decide_and_append<user_state>(
      user_stream(user_id), [&] { return load_user(user_id); },
      [&](const user_state& state) { return decide(state, command); }, ctx);
}

result<template_state> account_service::impl::execute(const std::string& template_id,
                                                      const template_command_variant& command,
                                                      const change_context& ctx) {
  return decide_and_append<template_state>(
      template_stream(template_id), [&] { return load_template(template_id); },
      [&](const template_state& state) { return decide(state, command); }, ctx);
}

const std::string& account_service::impl::decoy_password_hash() {
  std::call_once(decoy_once_, [this] {
    auto hashed = auth::hash_password(auth::random_id(32), opts.password_limits);
    // Only fails when out of memory; an empty decoy then fails verification quickly, which
    // costs timing uniformity, never correctness.
    if (hashed) decoy_hash_ = std::move(*hashed);
  });
  return decoy_hash_;
}

account_service::account_service(events::event_store& store, options opts)
    : impl_(std::make_unique<impl>(store, std::move(opts))) {}

account_service::~account_service() = default;

}  // namespace berth::accounts
