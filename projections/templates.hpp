#pragma once

#include "projections/row_change.hpp"

namespace berth::projections {

/// `rm_templates` from `template-*` events. Pure.
changes apply_template_event(const events::recorded_event& event);

}  // namespace berth::projections
