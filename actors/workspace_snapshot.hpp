#pragma once

#include <optional>
#include <string>

#include "actors/workspace_aggregate.hpp"

namespace berth::actors {

/// Version of the fold code that snapshots were written by; bump it when evolve changes so
/// old snapshots are ignored and the state is folded from the events again.
inline constexpr int workspace_snapshot_version = 1;

/// A folded workspace state as JSON (for event-store snapshots).
std::string encode_snapshot(const workspace_state& state);
/// The state a snapshot holds; nothing when it is malformed.
std::optional<workspace_state> decode_snapshot(const std::string& text);

}  // namespace berth::actors
