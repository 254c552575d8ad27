#include "projections/templates.hpp"

#include "projections/event_fields.hpp"

namespace berth::projections {

changes apply_template_event(const events::recorded_event& event) {
  if (events::stream_type_of(event.stream_id) != "template") return std::vector<row_change>{};
  const auto id = entity_id_of(event);
  const auto version = integer_param(event.stream_version);
  if (event.type == "TemplateCreated" || event.type == "TemplateUpdated") {
    // Both carry every field, so both are one upsert that only a newer version wins.
    const json_fields data(event.data);
    return std::vector<row_change>{
        {"INSERT INTO rm_templates (template_id, name, image, limits, env, idle_timeout_s, "
         "sudo_allowed, deleted, version) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, "
         "false, $8) ON CONFLICT (template_id) DO UPDATE SET name = EXCLUDED.name, "
         "image = EXCLUDED.image, limits = EXCLUDED.limits, env = EXCLUDED.env, "
         "idle_timeout_s = EXCLUDED.idle_timeout_s, sudo_allowed = EXCLUDED.sudo_allowed, "
         "version = EXCLUDED.version WHERE rm_templates.version < EXCLUDED.version",
         {id, data.text("name"), data.text("image"), data.json("limits", "{}"),
          data.json("env", "{}"), integer_param(data.integer("idle_timeout_s")),
          boolean_param(data.boolean("sudo_allowed")), version}}};
  }
  if (event.type == "TemplateDeleted") {
    return std::vector<row_change>{
        {"UPDATE rm_templates SET deleted = true, version = $2 WHERE template_id = $1 AND "
         "version < $2",
         {id, version}}};
  }
  return std::nullopt;
}

}  // namespace berth::projections
