#include "actors/workspace_snapshot.hpp"

#include <boost/json.hpp>

namespace berth::actors {
namespace json = boost::json;

std::string encode_snapshot(const workspace_state& state) {
  json::array env_names;
  for (const auto& name : state.env_names)
    env_names.emplace_back(name);
  return json::serialize(json::object{
      {"status", static_cast<int>(state.status)},
      {"id", state.id},
      {"owner_id", state.owner_id},
      {"name", state.name},
      {"template_id", state.template_id},
      {"image", state.image},
      {"limits", json::object{{"memory_bytes", state.limits.memory_bytes},
                              {"nano_cpus", state.limits.nano_cpus},
                              {"pids", state.limits.pids}}},
      {"idle_timeout_s", state.idle_timeout_s},
      {"sudo_allowed", state.sudo_allowed},
      {"env_names", std::move(env_names)},
      {"starred", state.starred},
      {"container_id", state.container_id},
      {"volume", state.volume},
      {"last_reason", state.last_reason},
      {"last_error", state.last_error},
      {"created_ms", state.created_ms},
      {"last_activity_ms", state.last_activity_ms},
      {"version", state.version},
  });
}

std::optional<workspace_state> decode_snapshot(const std::string& text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  try {
    const auto& object = parsed.as_object();
    workspace_state state;
    const auto status = object.at("status").to_number<int>();
    if (status < 0 || status > static_cast<int>(workspace_status::deleted)) return std::nullopt;
    state.status = static_cast<workspace_status>(status);
    auto text_of = [&](const char* key) { return std::string(object.at(key).as_string()); };
    auto number_of = [&](const json::object& from, const char* key) {
      return from.at(key).to_number<std::int64_t>();
    };
    state.id = text_of("id");
    state.owner_id = text_of("owner_id");
    state.name = text_of("name");
    state.template_id = text_of("template_id");
    state.image = text_of("image");
    const auto& limits = object.at("limits").as_object();
    state.limits = {number_of(limits, "memory_bytes"), number_of(limits, "nano_cpus"),
                    number_of(limits, "pids")};
    state.idle_timeout_s = number_of(object, "idle_timeout_s");
    state.sudo_allowed = object.at("sudo_allowed").as_bool();
    for (const auto& name : object.at("env_names").as_array())
      state.env_names.emplace_back(name.as_string());
    state.starred = object.at("starred").as_bool();
    state.container_id = text_of("container_id");
    state.volume = text_of("volume");
    state.last_reason = text_of("last_reason");
    state.last_error = text_of("last_error");
    state.created_ms = number_of(object, "created_ms");
    state.last_activity_ms = number_of(object, "last_activity_ms");
    state.version = number_of(object, "version");
    return state;
  } catch (const std::exception&) {
    return std::nullopt;  // a missing field or a wrong type: fold from the events instead
  }
}

}  // namespace berth::actors
