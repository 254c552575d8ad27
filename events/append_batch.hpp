#pragma once

#include <vector>

#include "events/append_writer.hpp"
#include "events/pg_connection.hpp"

namespace berth::events {

/// What became of one append in a batch.
struct batch_outcome {
  result<append_result> outcome;
  /// True when the append must wait for the next batch (it reuses an event id that an
  /// earlier append of this batch is writing); its `outcome` is meaningless.
  bool deferred = false;
};

/// Writes a batch of appends in one transaction (see DESIGN.md "Append" and REFERENCE.md
/// "Append"): idempotency look-up, stream rows locked in id order, versions checked in
/// memory, then one statement each for new streams, stream versions and events.
std::vector<batch_outcome> write_batch(pg_connection& connection,
                                       std::vector<append_writer::pending>& batch);

}  // namespace berth::events
