#pragma once

#include "projections/row_change.hpp"

namespace berth::projections {

/// `rm_sessions` from `session-*` events; `OutputRecorded` only moves `output_bytes`. Pure.
changes apply_session_event(const events::recorded_event& event);

}  // namespace berth::projections
