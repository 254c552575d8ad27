#pragma once

#include "projections/row_change.hpp"

namespace berth::projections {

/// `rm_users`, `rm_api_tokens` and `rm_user_secrets` (names only) from `user-*` events. The
/// user's row holds the stream version last applied, which guards the token and secret
/// tables too. Pure.
changes apply_user_event(const events::recorded_event& event);

}  // namespace berth::projections
