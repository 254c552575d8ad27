#include "projections/users.hpp"

#include "projections/event_fields.hpp"

namespace berth::projections {
namespace {

using param = std::optional<std::string>;

// Moves the user's row to this event's version, yielding the user id only when the event is
// newer than the row: the statement that follows it acts once, however often it is replayed.
constexpr std::string_view advance_user =
    "WITH applied AS (UPDATE rm_users SET version = $2 WHERE user_id = $1 AND version < $2 "
    "RETURNING user_id) ";

row_change created(const events::recorded_event& event, const json_fields& data) {
  // No conflict target: a replay (same user id) and a username already taken by another
  // user both leave the existing row alone instead of stopping the projection. The auth
  // layer reserves usernames before it appends, so the second case means a bug upstream.
  return {
      "INSERT INTO rm_users (user_id, username, role, disabled, created_ms, version) "
      "VALUES ($1, $2, $3, false, $4, $5) ON CONFLICT DO NOTHING",
      {entity_id_of(event), data.text("username"), data.text("role"),
       integer_param(data.integer("created_ms")), integer_param(event.stream_version)}};
}

row_change user_updated(const events::recorded_event& event, std::string_view assignments,
                        std::vector<param> values = {}) {
  row_change change{"UPDATE rm_users SET " + std::string(assignments) +
                        ", version = $2 WHERE user_id = $1 AND version < $2",
                    {entity_id_of(event), integer_param(event.stream_version)}};
  for (auto& value : values)
    change.params.push_back(std::move(value));
  return change;
}

/// `statement` runs after `advance_user`, reading the user id from `applied`; its own
/// parameters start at `$3`.
row_change child_changed(const events::recorded_event& event, std::string_view statement,
                         std::vector<param> values) {
  row_change change{std::string(advance_user) + std::string(statement),
                    {entity_id_of(event), integer_param(event.stream_version)}};
  for (auto& value : values)
    change.params.push_back(std::move(value));
  return change;
}

}  // namespace

changes apply_user_event(const events::recorded_event& event) {
  if (events::stream_type_of(event.stream_id) != "user") return std::vector<row_change>{};
  const json_fields data(event.data);
  const auto& type = event.type;
  if (type == "UserCreated") return std::vector{created(event, data)};
  if (type == "UserRoleChanged") {
    return std::vector{user_updated(event, "role = $3", {data.text("role")})};
  }
  if (type == "UserDisabled") return std::vector{user_updated(event, "disabled = true")};
  if (type == "UserEnabled") return std::vector{user_updated(event, "disabled = false")};
  // The new hash lives in auth_credentials; nothing here shows passwords.
  if (type == "UserPasswordChanged") return std::vector<row_change>{};
  // Login history is for the audit log (rm_audit_log); the user's row does not change.
  if (type == "UserLoggedIn" || type == "UserLoginFailed" || type == "UserLoggedOut") {
    return std::vector<row_change>{};
  }
  if (type == "ApiTokenCreated") {
    const auto expires_ms = data.integer("expires_ms");
    return std::vector{child_changed(
        event,
        "INSERT INTO rm_api_tokens (token_id, user_id, name, created_ms, expires_ms, revoked) "
        "SELECT $3, user_id, $4, $5, $6, false FROM applied ON CONFLICT (token_id) DO NOTHING",
        {data.text("token_id"), data.text("name"), integer_param(data.integer("created_ms")),
         // 0 means "never" in the event; NULL reads better in `expires_ms > $now` queries.
         expires_ms == 0 ? param{} : param{integer_param(expires_ms)}})};
  }
  if (type == "ApiTokenRevoked") {
    return std::vector{child_changed(event,
                                     "UPDATE rm_api_tokens t SET revoked = true FROM applied "
                                     "WHERE t.token_id = $3 AND t.user_id = applied.user_id",
                                     {data.text("token_id")})};
  }
  if (type == "SecretSet") {
    return std::vector{child_changed(event,
                                     "INSERT INTO rm_user_secrets (user_id, name) SELECT "
                                     "user_id, $3 FROM applied ON CONFLICT DO NOTHING",
                                     {data.text("name")})};
  }
  if (type == "SecretDeleted") {
    return std::vector{child_changed(event,
                                     "DELETE FROM rm_user_secrets s USING applied "
                                     "WHERE s.user_id = applied.user_id AND s.name = $3",
                                     {data.text("name")})};
  }
  return std::nullopt;
}

}  // namespace berth::projections
