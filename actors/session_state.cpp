#include "actors/session_state.hpp"

#include <algorithm>
#include <chrono>

#include <boost/json.hpp>

#include "events/uuid.hpp"

namespace berth::actors {
namespace {

namespace json = boost::json;

std::string metadata_of(const session_origin& origin) {
  json::object metadata{{"actor", origin.actor_id}};
  if (!origin.node.empty()) metadata["node"] = origin.node;
  if (!origin.remote_address.empty()) metadata["remote_address"] = origin.remote_address;
  if (!origin.trace_id.empty()) metadata["trace_id"] = origin.trace_id;
  if (!origin.trace_id.empty() && !origin.span_id.empty()) metadata["span_id"] = origin.span_id;
  return json::serialize(metadata);
}

std::int64_t ms_of(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

/// Folds one decoded event; `version` is the stream version it was recorded at.
struct folder {
  session_state& state;
  std::int64_t version;

  void operator()(const session_event::opened& e) const {
    state.id = e.session_id;
    state.workspace_id = e.workspace_id;
    state.user_id = e.user_id;
    state.keeper_session = e.keeper_session;
    state.cols = e.cols;
    state.rows = e.rows;
    state.opened_ms = e.opened_ms;
    state.unattended_since_ms = state.last_event_ms;
  }
  void operator()(const session_event::output_recorded& e) const {
    // The codec refuses an offset and length whose sum passes 2^63 - 1.
    const auto end = e.offset + e.length;
    state.output_index.push_back({e.offset, end, version});
    state.output_end = std::max(state.output_end, end);
  }
  void operator()(const session_event::input_recorded& e) const { state.input_bytes += e.length; }
  void operator()(const session_event::resized& e) const {
    state.cols = e.cols;
    state.rows = e.rows;
  }
  void operator()(const session_event::client_attached& e) const {
    state.attached_clients.insert(e.client_id);
  }
  void operator()(const session_event::client_detached& e) const {
    state.attached_clients.erase(e.client_id);
    if (state.attached_clients.empty()) state.unattended_since_ms = state.last_event_ms;
  }
  void operator()(const session_event::renamed& e) const { state.name = e.name; }
  void operator()(const session_event::closed& e) const {
    state.closed = session_close{e.reason, e.exit_status, e.signaled};
  }
  void operator()(const session_event::keeper_refused&) const {}  // for auditors only
};

}  // namespace

std::string session_stream(const std::string& session_id) {
  return "session-" + session_id;
}

fold_outcome evolve(session_state& state, const events::recorded_event& event) {
  state.version = event.stream_version;
  state.last_event_ms = ms_of(event.recorded_at);
  // An event this code does not know (a newer server wrote it) or cannot read still holds
  // its place in the stream: the version counts, the rest is left as it was.
  const auto decoded = decode_session_event(event.type, event.data);
  if (!decoded) {
    return is_session_event_type(event.type) ? fold_outcome::unreadable
                                             : fold_outcome::unknown_type;
  }
  std::visit(folder{state, event.stream_version}, *decoded);
  return fold_outcome::folded;
}

std::chrono::milliseconds grace_spent_before_restart(const session_state& state) {
  if (!state.attached_clients.empty()) return {};
  return std::chrono::milliseconds(
      std::max<std::int64_t>(0, state.last_event_ms - state.unattended_since_ms));
}

events::new_event new_session_event(const session_event_variant& event,
                                    const session_origin& origin, std::optional<std::string> body) {
  auto encoded = encode(event);
  return {events::make_uuid_v7(),  std::move(encoded.type), 1,
          std::move(encoded.data), std::move(body),         metadata_of(origin)};
}

events::new_event session_opened_event(const session_state& opened, const session_origin& origin) {
  return new_session_event(
      session_event::opened{opened.id, opened.workspace_id, opened.user_id, opened.keeper_session,
                            opened.cols, opened.rows, opened.opened_ms},
      origin);
}

events::new_event output_recorded_event(std::int64_t offset, std::string bytes,
                                        const session_origin& origin) {
  const auto length = static_cast<std::int64_t>(bytes.size());
  return new_session_event(session_event::output_recorded{offset, length}, origin,
                           std::move(bytes));
}

events::new_event input_recorded_event(std::string bytes, const session_origin& origin) {
  const auto length = static_cast<std::int64_t>(bytes.size());
  return new_session_event(session_event::input_recorded{length}, origin, std::move(bytes));
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
