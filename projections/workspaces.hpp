#pragma once

#include "projections/row_change.hpp"

namespace berth::projections {

/// `rm_workspaces` from `workspace-*` events: one row per workspace, what
/// `GET /api/workspaces` lists. Pure.
changes apply_workspace_event(const events::recorded_event& event);

}  // namespace berth::projections
