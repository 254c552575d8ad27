// JSON spelling of the `user-<id>` events (docs/events.md "user-<user_id>").
#include <boost/json.hpp>

#include "accounts/json_fields.hpp"
#include "accounts/user_aggregate.hpp"

namespace berth::accounts {
namespace {

namespace ev = user_event;
namespace json = boost::json;

struct type_namer {
  std::string operator()(const ev::created&) const { return "UserCreated"; }
  std::string operator()(const ev::password_changed&) const { return "UserPasswordChanged"; }
  std::string operator()(const ev::role_changed&) const { return "UserRoleChanged"; }
  std::string operator()(const ev::disabled&) const { return "UserDisabled"; }
  std::string operator()(const ev::enabled&) const { return "UserEnabled"; }
  std::string operator()(const ev::token_created&) const { return "ApiTokenCreated"; }
  std::string operator()(const ev::token_revoked&) const { return "ApiTokenRevoked"; }
  std::string operator()(const ev::secret_set&) const { return "SecretSet"; }
  std::string operator()(const ev::secret_deleted&) const { return "SecretDeleted"; }
  std::string operator()(const ev::logged_in&) const { return "UserLoggedIn"; }
  std::string operator()(const ev::login_failed&) const { return "UserLoginFailed"; }
  std::string operator()(const ev::logged_out&) const { return "UserLoggedOut"; }
};

struct data_writer {
  json::object operator()(const ev::created& e) const {
    return {{"user_id", e.user_id},
            {"username", e.username},
            {"role", to_string(e.role)},
            {"created_ms", e.created_ms}};
  }
  json::object operator()(const ev::password_changed& e) const {
    return {{"changed_ms", e.changed_ms}};
  }
  json::object operator()(const ev::role_changed& e) const { return {{"role", to_string(e.role)}}; }
  json::object operator()(const ev::disabled&) const { return {}; }
  json::object operator()(const ev::enabled&) const { return {}; }
  json::object operator()(const ev::token_created& e) const {
    json::object data{{"token_id", e.token_id},
                      {"name", e.name},
                      {"created_ms", e.created_ms},
                      {"expires_ms", e.expires_ms}};
    if (!e.session_id.empty()) data["session_id"] = e.session_id;
    return data;
  }
  json::object operator()(const ev::token_revoked& e) const { return {{"token_id", e.token_id}}; }
  json::object operator()(const ev::secret_set& e) const { return {{"name", e.name}}; }
  json::object operator()(const ev::secret_deleted& e) const { return {{"name", e.name}}; }
  json::object operator()(const ev::logged_in& e) const {
    return {{"session_id", e.session_id},
            {"address", e.address},
            {"method", e.method},
            {"token_issued", e.token_issued}};
  }
  json::object operator()(const ev::login_failed& e) const {
    return {{"address", e.address}, {"reason", to_string(e.reason)}};
  }
  json::object operator()(const ev::logged_out& e) const { return {{"session_id", e.session_id}}; }
};

}  // namespace

std::string event_type_of(const user_event_variant& event) {
  return std::visit(type_namer{}, event);
}

std::string event_data_of(const user_event_variant& event) {
  return json::serialize(std::visit(data_writer{}, event));
}

std::optional<user_event_variant> parse_user_event(std::string_view type, std::string_view data) {
  const auto fields = json_fields::parse(data);
  if (!fields) return std::nullopt;
  const auto role_at = [&](std::string_view key) -> std::optional<accounts::role> {
    const auto text = fields->text(key);
    return text ? parse_role(*text) : std::nullopt;
  };
  if (type == "UserCreated") {
    auto id = fields->text("user_id");
    auto name = fields->text("username");
    auto r = role_at("role");
    if (!id || !name || !r) return std::nullopt;
    return ev::created{*id, *name, *r, fields->integer("created_ms").value_or(0)};
  }
  if (type == "UserPasswordChanged") {
    return ev::password_changed{fields->integer("changed_ms").value_or(0)};
  }
  if (type == "UserRoleChanged") {
    auto r = role_at("role");
    if (!r) return std::nullopt;
    return ev::role_changed{*r};
  }
  if (type == "UserDisabled") return ev::disabled{};
  if (type == "UserEnabled") return ev::enabled{};
  if (type == "ApiTokenCreated") {
    auto id = fields->text("token_id");
    if (!id) return std::nullopt;
    return ev::token_created{
        *id, fields->text("name").value_or(""), fields->integer("created_ms").value_or(0),
        fields->integer("expires_ms").value_or(0), fields->text("session_id").value_or("")};
  }
  if (type == "ApiTokenRevoked") {
    auto id = fields->text("token_id");
    if (!id) return std::nullopt;
    return ev::token_revoked{*id};
  }
  if (type == "SecretSet" || type == "SecretDeleted") {
    auto name = fields->text("name");
    if (!name) return std::nullopt;
    if (type == "SecretSet") return ev::secret_set{*name};
    return ev::secret_deleted{*name};
  }
  if (type == "UserLoggedIn") {
    auto session = fields->text("session_id");
    auto method = fields->text("method");
    if (!session || !method) return std::nullopt;
    return ev::logged_in{*session, fields->text("address").value_or(""), *method,
                         fields->boolean("token_issued").value_or(false)};
  }
  if (type == "UserLoginFailed") {
    const auto reason_text = fields->text("reason");
    const auto reason = reason_text ? parse_login_failure(*reason_text) : std::nullopt;
    if (!reason) return std::nullopt;
    return ev::login_failed{fields->text("address").value_or(""), *reason};
  }
  if (type == "UserLoggedOut") {
    auto session = fields->text("session_id");
    if (!session) return std::nullopt;
    return ev::logged_out{*session};
  }
  return std::nullopt;
}

}  // namespace berth::accounts
