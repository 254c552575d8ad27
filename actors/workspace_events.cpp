#include "actors/workspace_events.hpp"

#include <boost/json.hpp>

#include "actors/event_fields.hpp"

namespace berth::actors {
namespace {

namespace json = boost::json;
using namespace workspace_event;

json::object limits_json(const workspace_limits& limits) {
  return {{"memory_bytes", limits.memory_bytes},
          {"nano_cpus", limits.nano_cpus},
          {"pids", limits.pids}};
}

/// The limits object of a WorkspaceCreated; a bad one fails `fields`.
workspace_limits limits_of(event_fields& fields, const char* key) {
  const auto* object = fields.object(key);
  if (object == nullptr) return {};
  event_fields nested(*object);
  workspace_limits limits{nested.integer("memory_bytes"), nested.integer("nano_cpus"),
                          nested.integer("pids")};
  if (!nested.ok()) fields.mark_failed();
  return limits;
}

struct encoder {
  encoded_event operator()(const created& e) const {
    json::array names;
    for (const auto& name : e.env_names)
      names.emplace_back(name);
    return {"WorkspaceCreated", json::serialize(json::object{{"workspace_id", e.workspace_id},
                                                             {"owner_id", e.owner_id},
                                                             {"name", e.name},
                                                             {"template_id", e.template_id},
                                                             {"image", e.image},
                                                             {"limits", limits_json(e.limits)},
                                                             {"idle_timeout_s", e.idle_timeout_s},
                                                             {"sudo_allowed", e.sudo_allowed},
                                                             {"env_names", std::move(names)},
                                                             {"created_ms", e.created_ms}})};
  }
  encoded_event operator()(const renamed& e) const {
    return {"WorkspaceRenamed", json::serialize(json::object{{"name", e.name}})};
  }
  encoded_event operator()(const starred&) const { return {"WorkspaceStarred", "{}"}; }
  encoded_event operator()(const unstarred&) const { return {"WorkspaceUnstarred", "{}"}; }
  encoded_event operator()(const container_provisioned& e) const {
    return {"ContainerProvisioned",
            json::serialize(json::object{{"container_id", e.container_id}, {"volume", e.volume}})};
  }
  encoded_event operator()(const started& e) const {
    return {"WorkspaceStarted",
            json::serialize(json::object{
                {"reason", e.reason}, {"outcome", e.outcome}, {"started_ms", e.started_ms}})};
  }
  encoded_event operator()(const stopped& e) const {
    return {"WorkspaceStopped",
            json::serialize(json::object{{"reason", e.reason}, {"stopped_ms", e.stopped_ms}})};
  }
  encoded_event operator()(const failed& e) const {
    return {"WorkspaceFailed",
            json::serialize(json::object{{"reason", e.reason}, {"error", e.error}})};
  }
  encoded_event operator()(const container_lost& e) const {
    return {"ContainerLost",
            json::serialize(json::object{
                {"container_id", e.container_id}, {"how", e.how}, {"exit_code", e.exit_code}})};
  }
  encoded_event operator()(const activity& e) const {
    return {"WorkspaceActivity", json::serialize(json::object{{"at_ms", e.at_ms}})};
  }
  encoded_event operator()(const delete_requested& e) const {
    return {"WorkspaceDeleteRequested", json::serialize(json::object{{"reason", e.reason}})};
  }
  encoded_event operator()(const deleted& e) const {
    return {"WorkspaceDeleted", json::serialize(json::object{{"reason", e.reason}})};
  }
};

template <class Event>
std::optional<workspace_event_variant> checked(Event event, const event_fields& fields) {
  if (!fields.ok()) return std::nullopt;
  return workspace_event_variant(std::move(event));
}

}  // namespace

encoded_event encode(const workspace_event_variant& event) {
  return std::visit(encoder{}, event);
}

std::optional<workspace_event_variant> decode_workspace_event(const std::string& type,
                                                              const std::string& data) {
  const auto object = parse_event_data(data);
  if (!object) return std::nullopt;
  event_fields r(*object);
  if (type == "WorkspaceCreated") {
    created e{r.text("workspace_id"),      r.text("owner_id"),        r.text("name"),
              r.text("template_id"),       r.text("image"),           limits_of(r, "limits"),
              r.integer("idle_timeout_s"), r.boolean("sudo_allowed"), r.texts("env_names"),
              r.integer("created_ms")};
    return checked(std::move(e), r);
  }
  if (type == "WorkspaceRenamed") return checked(renamed{r.text("name")}, r);
  if (type == "WorkspaceStarred") return checked(starred{}, r);
  if (type == "WorkspaceUnstarred") return checked(unstarred{}, r);
  if (type == "ContainerProvisioned") {
    return checked(container_provisioned{r.text("container_id"), r.text("volume")}, r);
  }
  if (type == "WorkspaceStarted") {
    return checked(started{r.text("reason"), r.text("outcome"), r.integer("started_ms")}, r);
  }
  if (type == "WorkspaceStopped") {
    return checked(stopped{r.text("reason"), r.integer("stopped_ms")}, r);
  }
  if (type == "WorkspaceFailed") return checked(failed{r.text("reason"), r.text("error")}, r);
  if (type == "ContainerLost") {
    return checked(container_lost{r.text("container_id"), r.text("how"), r.integer("exit_code")},
                   r);
  }
  if (type == "WorkspaceActivity") return checked(activity{r.integer("at_ms")}, r);
  if (type == "WorkspaceDeleteRequested") return checked(delete_requested{r.text("reason")}, r);
  if (type == "WorkspaceDeleted") return checked(deleted{r.text("reason")}, r);
  return std::nullopt;
}

}  // namespace berth::actors
