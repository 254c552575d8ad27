#include "audit/workspace_history.hpp"

#include <boost/json.hpp>

#include "actors/workspace_snapshot.hpp"
#include "events/event_store.hpp"

namespace berth::audit {
namespace {

namespace json = boost::json;

/// The text field `key` of a JSON object text, or nothing.
std::optional<std::string> text_field(const std::string& object_text, std::string_view key) {
  boost::system::error_code failed;
  const auto parsed = json::parse(object_text, failed);
  if (failed || !parsed.is_object()) return std::nullopt;
  const auto* value = parsed.as_object().if_contains(key);
  if (!value || !value->is_string()) return std::nullopt;
  return std::string(value->as_string());
}

time_point recorded_time(const events::recorded_event& event) {
  return std::chrono::floor<std::chrono::microseconds>(event.recorded_at);
}

// The state's fields as the snapshot codec writes them (one description of a workspace's
// state), with its status spelled out for people.
json::object state_json(const actors::workspace_state& state) {
  auto object = json::parse(actors::encode_snapshot(state)).as_object();
  object["status"] = actors::to_string(state.status);
  return object;
}

}  // namespace

tl::expected<workspace_history, std::string> fold_history(
    const std::string& workspace_id, const std::vector<events::recorded_event>& stream,
    std::optional<time_point> at) {
  workspace_history history;
  history.workspace_id = workspace_id;
  history.at = at;
  history.state.id = workspace_id;
  for (const auto& event : stream) {
    history_event shown;
    shown.version = event.stream_version;
    shown.type = event.type;
    shown.recorded_at = recorded_time(event);
    shown.actor = text_field(event.metadata, "actor").value_or("");
    shown.trace_id = text_field(event.metadata, "trace_id");
    shown.data = event.data;
    // The log is in version order and recorded_at grows with it, but a stricter reading is
    // free: the state holds exactly the events recorded at or before `at`, a prefix of them.
    shown.in_state = (!at || shown.recorded_at <= *at) &&
                     (history.events.empty() || history.events.back().in_state);
    if (shown.in_state) {
      const auto decoded = actors::decode_workspace_event(event.type, event.data);
      if (!decoded) {
        return tl::unexpected("undecodable event " + event.type + " at version " +
                              std::to_string(event.stream_version) + " of workspace-" +
                              workspace_id);
      }
      history.state = actors::evolve(std::move(history.state), *decoded);
      history.state.version = event.stream_version;
    }
    history.events.push_back(std::move(shown));
  }
  return history;
}

events::result<std::optional<workspace_history>> read_workspace_history(
    events::event_store& store, const std::string& workspace_id, std::optional<time_point> at) {
  std::vector<events::recorded_event> stream;
  auto last =
      store.fold_stream("workspace-" + workspace_id, 1,
                        [&](const events::recorded_event& event) { stream.push_back(event); });
  if (!last) return tl::unexpected(last.error());
  if (stream.empty()) return std::nullopt;
  auto history = fold_history(workspace_id, stream, at);
  if (!history) return events::fail(events::error_code::corrupted, history.error());
  return std::move(*history);
}

json::object history_json(const workspace_history& history) {
  json::array events;
  for (const auto& event : history.events) {
    boost::system::error_code failed;
    auto data = json::parse(event.data, failed);
    events.push_back(json::object{
        {"version", event.version},
        {"type", event.type},
        {"recorded_at", format_time(event.recorded_at)},
        {"recorded_ms", milliseconds_of(event.recorded_at)},
        {"actor", event.actor},
        {"trace_id", event.trace_id ? json::value(*event.trace_id) : json::value(nullptr)},
        {"data", failed ? json::value(json::object{}) : std::move(data)},
        {"in_state", event.in_state}});
  }
  return {{"workspace_id", history.workspace_id},
          {"at", history.at ? json::value(format_time(*history.at)) : json::value(nullptr)},
          {"at_ms", history.at ? json::value(milliseconds_of(*history.at)) : json::value(nullptr)},
          {"events", std::move(events)},
          {"state", state_json(history.state)}};
}

}  // namespace berth::audit
