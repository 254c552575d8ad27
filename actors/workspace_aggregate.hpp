#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "actors/workspace_events.hpp"

namespace berth::actors {

/// Where a workspace is in its lifecycle (DESIGN.md "Workspaces").
enum class workspace_status { none, creating, running, stopped, failed, deleting, deleted };

/// Lowercase name of a status, as the API shows it.
std::string_view to_string(workspace_status status);

/// A workspace folded from its events.
struct workspace_state {
  workspace_status status = workspace_status::none;
  std::string id, owner_id, name, template_id, image;
  workspace_limits limits;
  std::int64_t idle_timeout_s = 0;
  bool sudo_allowed = false;
  std::vector<std::string> env_names;
  bool starred = false;
  std::string container_id, volume;
  std::string last_reason, last_error;
  std::int64_t created_ms = 0;
  std::int64_t last_activity_ms = 0;  ///< last start or recorded activity
  std::int64_t version = 0;           ///< stream version of the last event folded
};

/// Why a command was refused.
struct domain_error {
  enum class kind { not_found, conflict, invalid } code;
  std::string message;
};

/// The events a command decided on, or why it was refused. Empty = nothing to record.
using decision = tl::expected<std::vector<workspace_event_variant>, domain_error>;

/// Commands of a workspace; `record_*` ones record the outcome of Docker work the actor did.
namespace workspace_command {
struct create {
  std::string workspace_id, owner_id, name, template_id, image;
  workspace_limits limits;
  std::int64_t idle_timeout_s = 0;
  bool sudo_allowed = false;
  std::vector<std::string> env_names;
  std::int64_t now_ms = 0;
};
struct rename {
  std::string name;
};
struct set_star {
  bool starred = false;
};
struct record_started {
  std::string reason, outcome, container_id, volume;  ///< container_id set when provisioned anew
  std::int64_t now_ms = 0;
};
struct record_stopped {
  std::string reason;
  std::int64_t now_ms = 0;
};
struct record_failed {
  std::string reason, error;
};
struct record_container_lost {
  std::string container_id, how;
  std::int64_t exit_code = 0;
};
struct record_activity {
  std::int64_t now_ms = 0;
};
struct request_delete {
  std::string reason;
};
struct record_deleted {
  std::string reason;
};
}  // namespace workspace_command

using workspace_command_variant =
    std::variant<workspace_command::create, workspace_command::rename, workspace_command::set_star,
                 workspace_command::record_started, workspace_command::record_stopped,
                 workspace_command::record_failed, workspace_command::record_container_lost,
                 workspace_command::record_activity, workspace_command::request_delete,
                 workspace_command::record_deleted>;

/// Decides which events a command produces on `state`. Pure.
decision decide(const workspace_state& state, const workspace_command_variant& command);
/// Applies one event. Pure and total: validation belongs in decide.
workspace_state evolve(workspace_state state, const workspace_event_variant& event);

/// What starting needs to do, decided before any Docker call.
enum class start_plan { nothing_to_do, start };
tl::expected<start_plan, domain_error> plan_start(const workspace_state& state);
/// What stopping needs to do.
enum class stop_plan { nothing_to_do, stop };
tl::expected<stop_plan, domain_error> plan_stop(const workspace_state& state);

/// When an idle running workspace is due to stop (ms since epoch); nothing when it never is.
std::optional<std::int64_t> idle_deadline_ms(const workspace_state& state);

/// Activity is recorded at most this often (ms), so typing does not flood the log.
inline constexpr std::int64_t activity_interval_ms = 60'000;

/// True for 1 to 64 characters of letters, digits, space, `.`, `_`, `-`, not starting or
/// ending with a space.
bool is_valid_workspace_name(const std::string& name);

}  // namespace berth::actors
