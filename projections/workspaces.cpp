#include "projections/workspaces.hpp"

#include "projections/event_fields.hpp"

namespace berth::projections {
namespace {

using param = std::optional<std::string>;

row_change created(const events::recorded_event& event, const json_fields& data) {
  const auto created_ms = integer_param(data.integer("created_ms"));
  return {
      "INSERT INTO rm_workspaces (workspace_id, owner_id, name, template_id, image, limits, "
      "idle_timeout_s, sudo_allowed, env_names, state, created_ms, last_activity_ms, version, "
      "updated_at_pos) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, 'creating', "
      "$10, $10, $11, $12) ON CONFLICT (workspace_id) DO NOTHING",
      {entity_id_of(event), data.text("owner_id"), data.text("name"), data.text("template_id"),
       data.text("image"), data.json("limits", "{}"), integer_param(data.integer("idle_timeout_s")),
       boolean_param(data.boolean("sudo_allowed")), data.json("env_names", "[]"), created_ms,
       integer_param(event.stream_version), integer_param(event.global_position)}};
}

/// An update of one workspace's row that only an event newer than the row's `version`
/// makes: a replayed event changes nothing. `assignments` use parameters from `$4` on.
row_change updated(const events::recorded_event& event, std::string_view assignments,
                   std::vector<param> values = {}) {
  row_change change{"UPDATE rm_workspaces SET " + std::string(assignments) +
                        ", version = $2, updated_at_pos = $3 WHERE workspace_id = $1 AND "
                        "version < $2",
                    {entity_id_of(event), integer_param(event.stream_version),
                     integer_param(event.global_position)}};
  for (auto& value : values)
    change.params.push_back(std::move(value));
  return change;
}

row_change state_changed(const events::recorded_event& event, std::string_view state,
                         param reason) {
  return updated(event, "state = $4, state_reason = $5", {std::string(state), std::move(reason)});
}

}  // namespace

changes apply_workspace_event(const events::recorded_event& event) {
  if (events::stream_type_of(event.stream_id) != "workspace") return std::vector<row_change>{};
  const json_fields data(event.data);
  const auto& type = event.type;
  if (type == "WorkspaceCreated") return std::vector{created(event, data)};
  if (type == "WorkspaceRenamed")
    return std::vector{updated(event, "name = $4", {data.text("name")})};
  if (type == "WorkspaceStarred") return std::vector{updated(event, "starred = true")};
  if (type == "WorkspaceUnstarred") return std::vector{updated(event, "starred = false")};
  if (type == "ContainerProvisioned") {
    return std::vector{updated(event, "container_id = $4, volume = $5",
                               {data.text("container_id"), data.text("volume")})};
  }
  if (type == "WorkspaceStarted") {
    return std::vector{
        updated(event,
                "state = 'running', state_reason = $4, last_error = NULL, "
                "last_activity_ms = GREATEST(last_activity_ms, $5::bigint)",
                {data.optional_text("reason"), integer_param(data.integer("started_ms"))})};
  }
  if (type == "WorkspaceStopped") {
    return std::vector{state_changed(event, "stopped", data.optional_text("reason"))};
  }
  if (type == "WorkspaceFailed") {
    return std::vector{updated(event, "state = 'failed', state_reason = $4, last_error = $5",
                               {data.optional_text("reason"), data.optional_text("error")})};
  }
  if (type == "ContainerLost") {
    // The way the container went (`died`, `oom`, `removed`) is the reason it stopped.
    return std::vector{state_changed(event, "stopped", data.optional_text("how"))};
  }
  if (type == "WorkspaceActivity") {
    return std::vector{updated(event, "last_activity_ms = GREATEST(last_activity_ms, $4::bigint)",
                               {integer_param(data.integer("at_ms"))})};
  }
  if (type == "WorkspaceDeleteRequested") {
    return std::vector{state_changed(event, "deleting", data.optional_text("reason"))};
  }
  if (type == "WorkspaceDeleted") {
    return std::vector{state_changed(event, "deleted", data.optional_text("reason"))};
  }
  return std::nullopt;
}

}  // namespace berth::projections
