#include <algorithm>

#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

/// The event id of the default template's TemplateCreated: fixed, so every node and every
/// race appends it at most once (a repeated append of an event id is a no-op).
constexpr std::string_view default_template_event_id = "00000000-0000-7000-8000-00000000de7a";

/// Used when no default image is configured.
constexpr std::string_view fallback_default_image = "berth-workspace:latest";

}  // namespace

result<void> account_service::impl::ensure_default_template() {
  if (default_template_ready.load()) return {};
  const std::string id(default_template_id);
  // The index row first: without the stream it lists nothing.
  auto indexed = sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO auth_template_ids (template_id) VALUES ($1) ON CONFLICT DO NOTHING",
                   id);
    tx.commit();
  });
  if (!indexed) return tl::unexpected(indexed.error());
  auto version = store.stream_version(template_stream(id));
  if (!version) return tl::unexpected(error_of(version.error()));
  if (*version == 0) {
    workspace_template spec;
    spec.id = id;
    spec.name = "Default";
    spec.image =
        opts.default_image.empty() ? std::string(fallback_default_image) : opts.default_image;
    const template_event_variant event = template_event::created{spec};
    events::append_request request{
        template_stream(id),
        "",
        events::expected_version::no_stream,
        {events::new_event{std::string(default_template_event_id), event_type_of(event), 1,
                           event_data_of(event), std::nullopt,
                           event_metadata(change_context{}, node)}}};
    auto appended = store.append(std::move(request));
    // A conflict means another caller created it first, which is just as good.
    if (!appended && appended.error().code != events::error_code::concurrency_conflict) {
      return tl::unexpected(error_of(appended.error()));
    }
  } else if (!opts.default_image.empty()) {
    // The configured image wins: after `scripts/build-image` made a new one, new workspaces
    // get it. Workspaces already created keep the image their WorkspaceCreated names.
    auto current = load_template(id);
    if (!current) return tl::unexpected(current.error());
    if (current->exists && current->spec.image != opts.default_image) {
      auto spec = current->spec;
      spec.image = opts.default_image;
      auto updated = execute(id, template_command::update{std::move(spec)}, change_context{});
      if (!updated) return tl::unexpected(updated.error());
    }
  }
  default_template_ready.store(true);
  return {};
}

result<std::vector<workspace_template>> account_service::list_templates() {
  auto& self = *impl_;
  if (auto ready = self.ensure_default_template(); !ready) return tl::unexpected(ready.error());
  auto ids = self.sql([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    std::vector<std::string> found;
    for (const auto& row : tx.exec("SELECT template_id FROM auth_template_ids"))
      found.emplace_back(row[0].c_str());
    return found;
  });
  if (!ids) return tl::unexpected(ids.error());
  std::vector<workspace_template> templates;
  for (const auto& id : *ids) {
    auto state = self.load_template(id);
    if (!state) return tl::unexpected(state.error());
    if (state->exists && !state->deleted) templates.push_back(std::move(state->spec));
  }
  // The default first, then by name.
  std::sort(templates.begin(), templates.end(),
            [](const workspace_template& a, const workspace_template& b) {
              return std::tuple(a.id != default_template_id, a.name, a.id) <
                     std::tuple(b.id != default_template_id, b.name, b.id);
            });
  return templates;
}

result<workspace_template> account_service::get_template(const std::string& template_id) {
  auto& self = *impl_;
  if (!is_valid_template_id(template_id)) return fail(code::not_found, "no such template");
  if (auto ready = self.ensure_default_template(); !ready) return tl::unexpected(ready.error());
  auto state = self.load_template(template_id);
  if (!state) return tl::unexpected(state.error());
  if (!state->exists || state->deleted) return fail(code::not_found, "no such template");
  return state->spec;
}

result<workspace_template> account_service::create_template(workspace_template spec,
                                                            const change_context& ctx) {
  auto& self = *impl_;
  if (auto ready = self.ensure_default_template(); !ready) return tl::unexpected(ready.error());
  if (spec.id.empty()) spec.id = events::make_uuid_v7();
  const template_command::create command{spec};
  // Refuse bad input before writing the index row.
  if (auto checked = decide(template_state{}, command); !checked) {
    return tl::unexpected(checked.error());
  }
  auto indexed = self.sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO auth_template_ids (template_id) VALUES ($1) ON CONFLICT DO NOTHING",
                   spec.id);
    tx.commit();
  });
  if (!indexed) return tl::unexpected(indexed.error());
  auto created = self.execute(spec.id, command, ctx);
  if (!created) return tl::unexpected(created.error());
  return created->spec;
}

result<workspace_template> account_service::update_template(workspace_template spec,
                                                            const change_context& ctx) {
  auto& self = *impl_;
  if (!is_valid_template_id(spec.id)) return fail(code::not_found, "no such template");
  if (auto ready = self.ensure_default_template(); !ready) return tl::unexpected(ready.error());
  const auto id = spec.id;
  auto updated = self.execute(id, template_command::update{std::move(spec)}, ctx);
  if (!updated) return tl::unexpected(updated.error());
  return updated->spec;
}

result<void> account_service::delete_template(const std::string& template_id,
                                              const change_context& ctx) {
  auto& self = *impl_;
  if (!is_valid_template_id(template_id)) return fail(code::not_found, "no such template");
  if (template_id == default_template_id) {
    return fail(code::conflict, "the default template cannot be deleted; change it instead");
  }
  auto deleted = self.execute(template_id, template_command::remove{}, ctx);
  if (!deleted) return tl::unexpected(deleted.error());
  return {};
}

}  // namespace berth::accounts
