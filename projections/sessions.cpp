#include "projections/sessions.hpp"

#include "projections/event_fields.hpp"

namespace berth::projections {
namespace {

using param = std::optional<std::string>;

row_change session_updated(const events::recorded_event& event, std::string_view assignments,
                           std::vector<param> values) {
  row_change change{"UPDATE rm_sessions SET " + std::string(assignments) +
                        ", version = $2 WHERE session_id = $1 AND version < $2",
                    {entity_id_of(event), integer_param(event.stream_version)}};
  for (auto& value : values)
    change.params.push_back(std::move(value));
  return change;
}

}  // namespace

changes apply_session_event(const events::recorded_event& event) {
  if (events::stream_type_of(event.stream_id) != "session") return std::vector<row_change>{};
  const json_fields data(event.data);
  const auto& type = event.type;
  if (type == "SessionOpened") {
    return std::vector<row_change>{
        {"INSERT INTO rm_sessions (session_id, workspace_id, user_id, state, cols, rows, "
         "opened_ms, output_bytes, version) VALUES ($1, $2, $3, 'open', $4, $5, $6, 0, $7) "
         "ON CONFLICT (session_id) DO NOTHING",
         {entity_id_of(event), data.text("workspace_id"), data.text("user_id"),
          integer_param(data.integer("cols")), integer_param(data.integer("rows")),
          integer_param(data.integer("opened_ms")), integer_param(event.stream_version)}}};
  }
  if (type == "OutputRecorded") {
    // Offsets are absolute, so the end of this chunk is the session's output size.
    const auto end = data.integer("offset") + data.integer("length");
    return std::vector{session_updated(event, "output_bytes = $3", {integer_param(end)})};
  }
  if (type == "SessionResized") {
    return std::vector{session_updated(
        event, "cols = $3, rows = $4",
        {integer_param(data.integer("cols")), integer_param(data.integer("rows"))})};
  }
  if (type == "SessionRenamed") {
    return std::vector{session_updated(event, "name = $3", {data.text("name")})};
  }
  if (type == "SessionClosed") {
    // The event carries no time of its own: the session closed when it was recorded.
    return std::vector{session_updated(
        event, "state = 'closed', closed_ms = $3, close_reason = $4, exit_status = $5",
        {integer_param(recorded_ms(event)), data.optional_text("reason"),
         optional_integer_param(data.optional_integer("exit_status"))})};
  }
  // Known, with nothing to show in this table: input bytes and who is watching.
  if (type == "InputRecorded" || type == "ClientAttached" || type == "ClientDetached") {
    return std::vector<row_change>{};
  }
  return std::nullopt;
}

}  // namespace berth::projections
