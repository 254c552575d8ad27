#include "actors/session_state.hpp"

#include <algorithm>
#include <chrono>

#include <boost/json.hpp>

#include "events/uuid.hpp"

namespace berth::actors {
namespace {

namespace json = boost::json;

std::int64_t integer_of(const json::object& data, std::string_view key, std::int64_t fallback = 0) {
  const auto* value = data.if_contains(key);
  return value && value->is_int64() ? value->as_int64() : fallback;
}

std::string text_of(const json::object& data, std::string_view key) {
  const auto* value = data.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

std::string metadata_of(const session_origin& origin) {
  json::object metadata{{"actor", origin.actor_id}};
  if (!origin.node.empty()) metadata["node"] = origin.node;
  if (!origin.remote_address.empty()) metadata["remote_address"] = origin.remote_address;
  if (!origin.trace_id.empty()) metadata["trace_id"] = origin.trace_id;
  if (!origin.trace_id.empty() && !origin.span_id.empty()) metadata["span_id"] = origin.span_id;
  return json::serialize(metadata);
}

events::new_event make_event(std::string type, const json::object& data,
                             const session_origin& origin,
                             std::optional<std::string> body = std::nullopt) {
  return {events::make_uuid_v7(), std::move(type), 1,
          json::serialize(data),  std::move(body), metadata_of(origin)};
}

std::int64_t ms_of(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

std::string session_stream(const std::string& session_id) {
  return "session-" + session_id;
}

void evolve(session_state& state, const events::recorded_event& event) {
  state.version = event.stream_version;
  state.last_event_ms = ms_of(event.recorded_at);
  json::object data;
  if (auto parsed = json::parse(event.data); parsed.is_object())
    data = std::move(parsed.as_object());
  const auto& type = event.type;
  if (type == "SessionOpened") {
    state.id = text_of(data, "session_id");
    state.workspace_id = text_of(data, "workspace_id");
    state.user_id = text_of(data, "user_id");
    state.keeper_session = text_of(data, "keeper_session");
    state.cols = static_cast<int>(integer_of(data, "cols", 80));
    state.rows = static_cast<int>(integer_of(data, "rows", 24));
    state.opened_ms = integer_of(data, "opened_ms");
    state.unattended_since_ms = state.last_event_ms;
  } else if (type == "OutputRecorded") {
    const auto offset = integer_of(data, "offset");
    const auto end = offset + integer_of(data, "length");
    state.output_index.push_back({offset, end, event.stream_version});
    state.output_end = std::max(state.output_end, end);
  } else if (type == "InputRecorded") {
    state.input_bytes += integer_of(data, "length");
  } else if (type == "SessionResized") {
    state.cols = static_cast<int>(integer_of(data, "cols", state.cols));
    state.rows = static_cast<int>(integer_of(data, "rows", state.rows));
  } else if (type == "ClientAttached") {
    state.attached_clients.insert(text_of(data, "client_id"));
  } else if (type == "ClientDetached") {
    state.attached_clients.erase(text_of(data, "client_id"));
    if (state.attached_clients.empty()) state.unattended_since_ms = state.last_event_ms;
  } else if (type == "SessionRenamed") {
    state.name = text_of(data, "name");
  } else if (type == "SessionClosed") {
    session_close how{text_of(data, "reason"), std::nullopt, false};
    if (const auto* status = data.if_contains("exit_status"); status && status->is_int64()) {
      how.exit_status = static_cast<int>(status->as_int64());
    }
    if (const auto* signaled = data.if_contains("signaled"); signaled && signaled->is_bool()) {
      how.signaled = signaled->as_bool();
    }
    state.closed = std::move(how);
  }
}

events::new_event session_opened_event(const session_state& opened, const session_origin& origin) {
  return make_event("SessionOpened",
                    {{"session_id", opened.id},
                     {"workspace_id", opened.workspace_id},
                     {"user_id", opened.user_id},
                     {"keeper_session", opened.keeper_session},
                     {"cols", opened.cols},
                     {"rows", opened.rows},
                     {"opened_ms", opened.opened_ms}},
                    origin);
}

events::new_event output_recorded_event(std::int64_t offset, std::string bytes,
                                        const session_origin& origin) {
  const auto length = static_cast<std::int64_t>(bytes.size());
  return make_event("OutputRecorded", {{"offset", offset}, {"length", length}}, origin,
                    std::move(bytes));
}

events::new_event input_recorded_event(std::string bytes, const session_origin& origin) {
  const auto length = static_cast<std::int64_t>(bytes.size());
  return make_event("InputRecorded", {{"length", length}}, origin, std::move(bytes));
}

events::new_event session_resized_event(int cols, int rows, const session_origin& origin) {
  return make_event("SessionResized", {{"cols", cols}, {"rows", rows}}, origin);
}

events::new_event client_attached_event(const std::string& client_id, const std::string& user_id,
                                        const session_origin& origin) {
  return make_event(
      "ClientAttached",
      {{"client_id", client_id}, {"user_id", user_id}, {"remote_address", origin.remote_address}},
      origin);
}

events::new_event client_detached_event(const std::string& client_id, const std::string& user_id,
                                        const session_origin& origin) {
  return make_event(
      "ClientDetached",
      {{"client_id", client_id}, {"user_id", user_id}, {"remote_address", origin.remote_address}},
      origin);
}

events::new_event session_closed_event(const session_close& how, const session_origin& origin) {
  json::object data{{"reason", how.reason}};
  if (how.exit_status) {
    data["exit_status"] = *how.exit_status;
    data["signaled"] = how.signaled;
  } else {
    data["exit_status"] = nullptr;
  }
  return make_event("SessionClosed", data, origin);
}

events::new_event session_renamed_event(const std::string& name, const session_origin& origin) {
  return make_event("SessionRenamed", {{"name", name}}, origin);
}

std::string session_name_problem(std::string_view name) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size(); ++characters) {
    const auto lead = static_cast<unsigned char>(name[i]);
    const std::size_t length = lead < 0x80                   ? 1
                               : lead >= 0xc2 && lead < 0xe0 ? 2
                               : lead >= 0xe0 && lead < 0xf0 ? 3
                               : lead >= 0xf0 && lead < 0xf5 ? 4
                                                             : 0;
    if (length == 0 || i + length > name.size()) return "name must be valid UTF-8";
    std::uint32_t code_point = length == 1 ? lead : lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(name[i + k]);
      if ((next & 0xc0) != 0x80) return "name must be valid UTF-8";
      code_point = (code_point << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < smallest[length] || (code_point >= 0xd800 && code_point < 0xe000) ||
        code_point > 0x10ffff) {
      return "name must be valid UTF-8";
    }
    if (code_point < 0x20 || (code_point >= 0x7f && code_point < 0xa0)) {
      return "name must not contain control characters";
    }
    // Bidirectional controls reorder what follows them on screen ("Trojan Source",
    // CVE-2021-42574): a name shown to an admin or auditor must read as it is stored.
    if (code_point == 0x061c || code_point == 0x200e || code_point == 0x200f ||
        (code_point >= 0x202a && code_point <= 0x202e) ||
        (code_point >= 0x2066 && code_point <= 0x2069)) {
      return "name must not contain bidirectional control characters";
    }
    i += length;
  }
  if (characters == 0 || characters > max_session_name_length) {
    return "name must be 1 to " + std::to_string(max_session_name_length) + " characters";
  }
  return {};
}

std::size_t chunk_holding(const std::vector<output_chunk>& index, std::int64_t offset) {
  const auto found = std::upper_bound(
      index.begin(), index.end(), offset,
      [](std::int64_t wanted, const output_chunk& chunk) { return wanted < chunk.end; });
  return static_cast<std::size_t>(found - index.begin());
}

}  // namespace berth::actors
