#include "accounts/template_aggregate.hpp"

#include <boost/json.hpp>

#include "accounts/failure.hpp"
#include "accounts/json_fields.hpp"
#include "auth/secret_box.hpp"

namespace berth::accounts {
namespace {

namespace ev = template_event;
namespace cmd = template_command;
namespace json = boost::json;
using code = error::code;
using event_list = std::vector<template_event_variant>;

// Limits a template may set. The minimums keep a shell usable; the maximums catch typos of a
// unit (bytes vs. megabytes) rather than describe any real machine.
constexpr std::int64_t min_memory_bytes = 64LL * 1024 * 1024;
constexpr std::int64_t max_memory_bytes = 1LL << 40;  // 1 TiB
constexpr std::int64_t min_nano_cpus = 10'000'000;    // 1% of one CPU
constexpr std::int64_t max_nano_cpus = 1024LL * 1'000'000'000;
constexpr std::int64_t min_pids = 16;
constexpr std::int64_t max_pids = 4'194'304;  // Linux's pid_max ceiling
constexpr std::int64_t max_idle_timeout_s = 365LL * 24 * 3600;
constexpr std::size_t max_image_size = 256;
constexpr std::size_t max_env_entries = 64;
constexpr std::size_t max_env_value_size = 4096;

bool is_valid_template_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == ' ' || name.back() == ' ') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ' ' || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool in_range(std::int64_t value, std::int64_t low, std::int64_t high) {
  return value >= low && value <= high;
}

json::object spec_data(const workspace_template& spec) {
  json::object env;
  for (const auto& [name, value] : spec.env)
    env[name] = value;
  return {
      {"template_id", spec.id},
      {"name", spec.name},
      {"image", spec.image},
      {"limits",
       {{"memory_bytes", spec.memory_bytes}, {"nano_cpus", spec.nano_cpus}, {"pids", spec.pids}}},
      {"env", std::move(env)},
      {"idle_timeout_s", spec.idle_timeout_s},
      {"sudo_allowed", spec.sudo_allowed}};
}

std::optional<workspace_template> parse_spec(const json_fields& data) {
  auto id = data.text("template_id");
  auto name = data.text("name");
  auto image = data.text("image");
  auto limits = data.object("limits");
  if (!id || !name || !image || !limits) return std::nullopt;
  workspace_template spec;
  spec.id = *id;
  spec.name = *name;
  spec.image = *image;
  spec.memory_bytes = limits->integer("memory_bytes").value_or(0);
  spec.nano_cpus = limits->integer("nano_cpus").value_or(0);
  spec.pids = limits->integer("pids").value_or(0);
  if (auto env = data.object("env")) {
    for (const auto& entry : env->raw()) {
      if (entry.value().is_string()) spec.env[entry.key()] = std::string(entry.value().as_string());
    }
  }
  spec.idle_timeout_s = data.integer("idle_timeout_s").value_or(0);
  spec.sudo_allowed = data.boolean("sudo_allowed").value_or(false);
  return spec;
}

struct decider {
  const template_state& state;

  result<event_list> operator()(const cmd::create& c) const {
    if (state.exists) return fail(code::conflict, "a template with this id exists");
    if (!is_valid_template_id(c.spec.id)) {
      return fail(code::invalid, "template id must be 1 to 64 of a-z, 0-9, '_', '-'");
    }
    if (auto checked = check_template(c.spec); !checked) return tl::unexpected(checked.error());
    return event_list{ev::created{c.spec}};
  }

  result<event_list> operator()(const cmd::update& c) const {
    if (!state.exists || state.deleted) return fail(code::not_found, "no such template");
    if (auto checked = check_template(c.spec); !checked) return tl::unexpected(checked.error());
    auto spec = c.spec;
    spec.id = state.spec.id;
    return event_list{ev::updated{std::move(spec)}};
  }

  result<event_list> operator()(const cmd::remove&) const {
    if (!state.exists || state.deleted) return fail(code::not_found, "no such template");
    return event_list{ev::deleted{}};
  }
};

struct evolver {
  template_state& state;
  void operator()(const ev::created& e) const {
    state.exists = true;
    state.spec = e.spec;
  }
  void operator()(const ev::updated& e) const { state.spec = e.spec; }
  void operator()(const ev::deleted&) const { state.deleted = true; }
};

}  // namespace

bool is_valid_template_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(id.front())) return false;
  for (const char c : id) {
    if (!alnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

result<void> check_template(const workspace_template& spec) {
  if (!is_valid_template_name(spec.name)) {
    return fail(code::invalid,
                "name must be 1 to 64 letters, digits, spaces, '.', '_' or '-', not starting or "
                "ending with a space");
  }
  if (spec.image.empty() || spec.image.size() > max_image_size) {
    return fail(code::invalid, "image must be 1 to 256 characters");
  }
  for (const char c : spec.image) {
    if (c <= 0x20 || c > 0x7e) return fail(code::invalid, "image must be printable, no spaces");
  }
  if (!in_range(spec.memory_bytes, min_memory_bytes, max_memory_bytes)) {
    return fail(code::invalid, "memory_bytes must be from 64 MiB to 1 TiB");
  }
  if (!in_range(spec.nano_cpus, min_nano_cpus, max_nano_cpus)) {
    return fail(code::invalid, "nano_cpus must be from 10000000 (1% of a CPU) to 1024 CPUs");
  }
  if (!in_range(spec.pids, min_pids, max_pids)) {
    return fail(code::invalid, "pids must be from 16 to 4194304");
  }
  if (!in_range(spec.idle_timeout_s, 0, max_idle_timeout_s)) {
    return fail(code::invalid, "idle_timeout_s must be from 0 (never) to one year");
  }
  if (spec.env.size() > max_env_entries) {
    return fail(code::invalid, "at most 64 environment variables");
  }
  for (const auto& [name, value] : spec.env) {
    if (auto checked = auth::check_secret_name(name); !checked) {
      return fail(code::invalid, "env: " + checked.error().message);
    }
    if (value.size() > max_env_value_size || value.find('\0') != std::string::npos) {
      return fail(code::invalid, "env " + name + ": values are at most 4096 bytes, without NUL");
    }
  }
  return {};
}

result<std::vector<template_event_variant>> decide(const template_state& state,
                                                   const template_command_variant& command) {
  return std::visit(decider{state}, command);
}

template_state evolve(template_state state, const template_event_variant& event) {
  std::visit(evolver{state}, event);
  return state;
}

std::string event_type_of(const template_event_variant& event) {
  if (std::holds_alternative<ev::created>(event)) return "TemplateCreated";
  if (std::holds_alternative<ev::updated>(event)) return "TemplateUpdated";
  return "TemplateDeleted";
}

std::string event_data_of(const template_event_variant& event) {
  if (const auto* created = std::get_if<ev::created>(&event)) {
    return json::serialize(spec_data(created->spec));
  }
  if (const auto* updated = std::get_if<ev::updated>(&event)) {
    return json::serialize(spec_data(updated->spec));
  }
  return "{}";
}

std::optional<template_event_variant> parse_template_event(std::string_view type,
                                                           std::string_view data) {
  if (type == "TemplateDeleted") return ev::deleted{};
  if (type != "TemplateCreated" && type != "TemplateUpdated") return std::nullopt;
  const auto fields = json_fields::parse(data);
  if (!fields) return std::nullopt;
  auto spec = parse_spec(*fields);
  if (!spec) return std::nullopt;
  if (type == "TemplateCreated") return ev::created{std::move(*spec)};
  return ev::updated{std::move(*spec)};
}

}  // namespace berth::accounts
