#pragma once

// The events of a `session-<id>` stream as types, and their one JSON codec. The stored form
// (type names, field names, field order) is the one docs/events.md describes and existing
// databases hold: change it only with a new type name.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "actors/encoded_event.hpp"
#include "events/event.hpp"

namespace berth::actors {

/// The events of a session stream; docs/events.md describes each.
namespace session_event {
struct opened {
  std::string session_id, workspace_id, user_id, keeper_session;
  int cols = 80, rows = 24;
  std::int64_t opened_ms = 0;
};
/// The output bytes [offset, offset + length), carried in the event's body.
struct output_recorded {
  std::int64_t offset = 0;
  std::int64_t length = 0;
};
/// Bytes typed by clients (when input recording is on), carried in the event's body.
struct input_recorded {
  std::int64_t length = 0;
};
struct resized {
  int cols = 80, rows = 24;
};
struct client_attached {
  std::string client_id, user_id, remote_address;
};
struct client_detached {
  std::string client_id, user_id, remote_address;
};
struct renamed {
  std::string name;
};
struct closed {
  std::string reason;
  std::optional<int> exit_status;  ///< exit code, or the signal number when `signaled`
  bool signaled = false;           ///< stored only with an exit status
};
/// Berth closed the keeper link for breaking the protocol (a forged offset, another
/// session's frames, an oversized frame); `reason` is Berth's own words, never keeper text.
struct keeper_refused {
  std::string reason;
};
}  // namespace session_event

/// Any session event.
using session_event_variant =
    std::variant<session_event::opened, session_event::output_recorded,
                 session_event::input_recorded, session_event::resized,
                 session_event::client_attached, session_event::client_detached,
                 session_event::renamed, session_event::closed, session_event::keeper_refused>;

/// Encodes an event with its stable type name (`SessionOpened`, `OutputRecorded`, ...).
encoded_event encode(const session_event_variant& event);
/// Decodes a stored event; nothing for unknown types or malformed data, and never throws.
/// Whether `type` names a session event this code knows (a newer server may write others).
bool is_session_event_type(std::string_view type);
std::optional<session_event_variant> decode_session_event(const std::string& type,
                                                          const std::string& data);

/// The offset of an OutputRecorded event about to be appended; nothing for other events.
std::optional<std::int64_t> output_offset_of(const events::new_event& event);
/// The offset of a stored OutputRecorded event; nothing for other or malformed events.
std::optional<std::int64_t> output_offset_of(const events::recorded_event& event);

}  // namespace berth::actors
