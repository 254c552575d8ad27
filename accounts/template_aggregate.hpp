#pragma once

// The `template-<id>` stream as a pure aggregate, with the rules a template must follow.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "accounts/accounts.hpp"

namespace berth::accounts {

/// Id of the built-in template, created on first use.
inline constexpr std::string_view default_template_id = "default";

/// A template folded from its stream.
struct template_state {
  bool exists = false;
  bool deleted = false;
  workspace_template spec;
  std::int64_t version = 0;
};

/// The events of a `template-<id>` stream (docs/events.md "template-<template_id>").
namespace template_event {
struct created {
  workspace_template spec;
};
struct updated {
  workspace_template spec;
};
struct deleted {};
}  // namespace template_event

using template_event_variant =
    std::variant<template_event::created, template_event::updated, template_event::deleted>;

/// Commands on a template.
namespace template_command {
struct create {
  workspace_template spec;
};
struct update {
  workspace_template spec;
};
struct remove {};
}  // namespace template_command

using template_command_variant =
    std::variant<template_command::create, template_command::update, template_command::remove>;

/// Decides which events `command` produces on `state`. Pure.
result<std::vector<template_event_variant>> decide(const template_state& state,
                                                   const template_command_variant& command);
/// Applies one event. Pure and total.
template_state evolve(template_state state, const template_event_variant& event);

/// Checks every field of a template: name 1..64 of [A-Za-z0-9 ._-], image 1..256 printable
/// characters, memory ≥ 64 MiB, nano_cpus ≥ 10^7, pids ≥ 16 (each with a sane maximum),
/// environment names like secret names, idle timeout from 0 to a year.
result<void> check_template(const workspace_template& spec);
/// True for 1 to 64 characters of [a-z0-9_-] starting with a letter or digit (UUIDs fit).
bool is_valid_template_id(std::string_view id);

/// The event's type name as stored (`TemplateCreated`, ...).
std::string event_type_of(const template_event_variant& event);
/// The event's `data` JSON text.
std::string event_data_of(const template_event_variant& event);
/// Parses a stored event of stream `template-<template_id>`; nothing when unknown.
std::optional<template_event_variant> parse_template_event(std::string_view type,
                                                           std::string_view data);

}  // namespace berth::accounts
