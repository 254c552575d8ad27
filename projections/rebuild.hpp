#pragma once

#include <cstdint>
#include <string>

#include "events/error.hpp"
#include "events/event.hpp"

namespace berth::projections {

/// What a rebuild did.
struct rebuild_report {
  std::int64_t events_replayed = 0;
  events::feed_checkpoint checkpoint;  ///< where the projection now stands
};

/// Empties projection `name`'s tables, resets its checkpoint and replays the whole feed (up
/// to its horizon) into it, all in one transaction: readers see the old rows until it
/// commits, and a live runner of the same projection waits, then resumes from the new
/// checkpoint. Unknown names are `invalid_argument`.
events::result<rebuild_report> rebuild(const std::string& database_url, const std::string& name);

}  // namespace berth::projections
