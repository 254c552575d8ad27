#include "projections/catalogue.hpp"

#include "projections/audit.hpp"
#include "projections/sessions.hpp"
#include "projections/templates.hpp"
#include "projections/users.hpp"
#include "projections/workspaces.hpp"

namespace berth::projections {

const std::vector<projection>& all_projections() {
  static const std::vector<projection> projections{
      {"workspaces", {"rm_workspaces"}, apply_workspace_event},
      {"audit", {"rm_audit_log"}, apply_audit_event},
      {"users", {"rm_users", "rm_api_tokens", "rm_user_secrets"}, apply_user_event},
      {"templates", {"rm_templates"}, apply_template_event},
      {"sessions", {"rm_sessions"}, apply_session_event},
  };
  return projections;
}

std::vector<std::string> projection_names() {
  std::vector<std::string> names;
  for (const auto& read_model : all_projections())
    names.push_back(read_model.name);
  return names;
}

const projection* find_projection(std::string_view name) {
  for (const auto& read_model : all_projections()) {
    if (read_model.name == name) return &read_model;
  }
  return nullptr;
}

}  // namespace berth::projections
