#include "actors/workspace_aggregate.hpp"

#include <cctype>

namespace berth::actors {
namespace {

namespace ev = workspace_event;
namespace cmd = workspace_command;
using status = workspace_status;

tl::unexpected<domain_error> refuse(domain_error::kind code, std::string message) {
  return tl::unexpected(domain_error{code, std::move(message)});
}

/// Commands on a workspace that does not exist (or is deleted) fail the same way.
std::optional<domain_error> require_live(const workspace_state& state) {
  if (state.status == status::none || state.status == status::deleted) {
    return domain_error{domain_error::kind::not_found, "no such workspace"};
  }
  if (state.status == status::deleting) {
    return domain_error{domain_error::kind::conflict, "the workspace is being deleted"};
  }
  return std::nullopt;
}

using events = std::vector<workspace_event_variant>;

struct decider {
  const workspace_state& state;

  decision operator()(const cmd::create& c) const {
    if (state.status != status::none) {
      return refuse(domain_error::kind::conflict, "the workspace already exists");
    }
    if (c.workspace_id.empty() || c.owner_id.empty()) {
      return refuse(domain_error::kind::invalid, "workspace and owner ids are required");
    }
    if (!is_valid_workspace_name(c.name)) {
      return refuse(domain_error::kind::invalid,
                    "name must be 1 to 64 letters, digits, spaces, '.', '_' or '-'");
    }
    if (c.image.empty()) return refuse(domain_error::kind::invalid, "the template has no image");
    if (c.limits.memory_bytes <= 0 || c.limits.nano_cpus <= 0 || c.limits.pids <= 0) {
      return refuse(domain_error::kind::invalid, "limits must be positive");
    }
    if (c.idle_timeout_s < 0) return refuse(domain_error::kind::invalid, "idle timeout < 0");
    return events{ev::created{c.workspace_id, c.owner_id, c.name, c.template_id, c.image, c.limits,
                              c.idle_timeout_s, c.sudo_allowed, c.env_names, c.now_ms}};
  }

  decision operator()(const cmd::rename& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    if (!is_valid_workspace_name(c.name)) {
      return refuse(domain_error::kind::invalid,
                    "name must be 1 to 64 letters, digits, spaces, '.', '_' or '-'");
    }
    if (c.name == state.name) return events{};
    return events{ev::renamed{c.name}};
  }

  decision operator()(const cmd::set_star& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    if (c.starred == state.starred) return events{};
    if (c.starred) return events{ev::starred{}};
    return events{ev::unstarred{}};
  }

  decision operator()(const cmd::record_started& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    events out;
    if (!c.container_id.empty() && c.container_id != state.container_id) {
      out.push_back(ev::container_provisioned{c.container_id, c.volume});
    }
    if (state.status != status::running || !out.empty()) {
      out.push_back(ev::started{c.reason, c.outcome, c.now_ms});
    }
    return out;
  }

  decision operator()(const cmd::record_stopped& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    if (state.status == status::stopped) return events{};
    return events{ev::stopped{c.reason, c.now_ms}};
  }

  decision operator()(const cmd::record_failed& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    return events{ev::failed{c.reason, c.error}};
  }

  decision operator()(const cmd::record_container_lost& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    // Only news about the current container matters; a replaced one may die as it likes.
    if (c.container_id != state.container_id || state.status != status::running) return events{};
    return events{ev::container_lost{c.container_id, c.how, c.exit_code}};
  }

  decision operator()(const cmd::record_activity& c) const {
    if (auto problem = require_live(state)) return tl::unexpected(*problem);
    if (state.status != status::running ||
        c.now_ms - state.last_activity_ms < activity_interval_ms) {
      return events{};
    }
    return events{ev::activity{c.now_ms}};
  }

  decision operator()(const cmd::request_delete& c) const {
    if (state.status == status::none || state.status == status::deleted) {
      return refuse(domain_error::kind::not_found, "no such workspace");
    }
    if (state.status == status::deleting) return events{};
    return events{ev::delete_requested{c.reason}};
  }

  decision operator()(const cmd::record_deleted& c) const {
    if (state.status != status::deleting) {
      return refuse(domain_error::kind::conflict, "deletion was not requested");
    }
    return events{ev::deleted{c.reason}};
  }
};

struct evolver {
  workspace_state& state;

  void operator()(const ev::created& e) const {
    state.status = status::creating;
    state.id = e.workspace_id;
    state.owner_id = e.owner_id;
    state.name = e.name;
    state.template_id = e.template_id;
    state.image = e.image;
    state.limits = e.limits;
    state.idle_timeout_s = e.idle_timeout_s;
    state.sudo_allowed = e.sudo_allowed;
    state.env_names = e.env_names;
    state.created_ms = e.created_ms;
    state.last_activity_ms = e.created_ms;
  }
  void operator()(const ev::renamed& e) const { state.name = e.name; }
  void operator()(const ev::starred&) const { state.starred = true; }
  void operator()(const ev::unstarred&) const { state.starred = false; }
  void operator()(const ev::container_provisioned& e) const {
    state.container_id = e.container_id;
    state.volume = e.volume;
  }
  void operator()(const ev::started& e) const {
    state.status = status::running;
    state.last_reason = e.reason;
    state.last_error.clear();
    state.last_activity_ms = e.started_ms;
  }
  void operator()(const ev::stopped& e) const {
    state.status = status::stopped;
    state.last_reason = e.reason;
  }
  void operator()(const ev::failed& e) const {
    state.status = status::failed;
    state.last_reason = e.reason;
    state.last_error = e.error;
  }
  void operator()(const ev::container_lost& e) const {
    state.status = status::stopped;
    state.last_reason = "recovery";
    state.last_error = "container " + e.how;
  }
  void operator()(const ev::activity& e) const { state.last_activity_ms = e.at_ms; }
  void operator()(const ev::delete_requested& e) const {
    state.status = status::deleting;
    state.last_reason = e.reason;
  }
  void operator()(const ev::deleted& e) const {
    state.status = status::deleted;
    state.last_reason = e.reason;
  }
};

}  // namespace

std::string_view to_string(workspace_status value) {
  switch (value) {
    case status::none:
      return "none";
    case status::creating:
      return "creating";
    case status::running:
      return "running";
    case status::stopped:
      return "stopped";
    case status::failed:
      return "failed";
    case status::deleting:
      return "deleting";
    case status::deleted:
      return "deleted";
  }
  return "unknown";
}

decision decide(const workspace_state& state, const workspace_command_variant& command) {
  return std::visit(decider{state}, command);
}

workspace_state evolve(workspace_state state, const workspace_event_variant& event) {
  std::visit(evolver{state}, event);
  return state;
}

tl::expected<start_plan, domain_error> plan_start(const workspace_state& state) {
  if (auto problem = require_live(state)) return tl::unexpected(*problem);
  return state.status == status::running ? start_plan::nothing_to_do : start_plan::start;
}

tl::expected<stop_plan, domain_error> plan_stop(const workspace_state& state) {
  if (auto problem = require_live(state)) return tl::unexpected(*problem);
  return state.status == status::running ? stop_plan::stop : stop_plan::nothing_to_do;
}

std::optional<std::int64_t> idle_deadline_ms(const workspace_state& state) {
  if (state.status != status::running || state.idle_timeout_s <= 0) return std::nullopt;
  return state.last_activity_ms + state.idle_timeout_s * 1000;
}

bool is_valid_workspace_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == ' ' || name.back() == ' ') return false;
  for (const unsigned char c : name) {
    if (!(std::isalnum(c) || c == ' ' || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace berth::actors
