#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "events/event.hpp"
#include "events/pg_connection.hpp"
#include "projections/row_change.hpp"

namespace berth::projections {

/// How far a projection is behind the feed.
struct projection_lag {
  /// Committed events after the projection's stored checkpoint in (transaction, position)
  /// order, counting those still held back by the feed's horizon; 0 when caught up.
  std::int64_t events_behind = 0;
  /// Age of the oldest of them, by the database's clock; 0 when caught up.
  double seconds_behind = 0;
};

/// What became of one page.
enum class page_outcome {
  applied,           ///< read-model changes and the new checkpoint are committed
  checkpoint_moved,  ///< another projector moved the checkpoint first: nothing was written
};

/// The outcome of `apply_page` and the event types the projection did not know.
struct page_result {
  page_outcome outcome = page_outcome::applied;
  std::set<std::string> unknown_types;
};

/// True when feed position `a` is at or after `b` in (transaction, position) order.
bool at_or_after(const events::feed_checkpoint& a, const events::feed_checkpoint& b);

/// The projection's stored checkpoint; stores (0, 0) first when it has none.
events::result<events::feed_checkpoint> load_checkpoint(events::pg_connection& connection,
                                                        const std::string& projection_name);

/// In one transaction: moves the checkpoint from `from` to `page.next` by compare-and-set,
/// then applies the page's events. When the stored checkpoint is not `from`, rolls back.
events::result<page_result> apply_page(events::pg_connection& connection,
                                       const projection& read_model, events::feed_checkpoint from,
                                       const events::feed_page& page);

/// The projection's lag behind the feed, measured from its stored checkpoint.
events::result<projection_lag> measure_lag(events::pg_connection& connection,
                                           const std::string& projection_name);

/// The feed position of the newest committed event; nullopt when there are none.
events::result<std::optional<events::feed_checkpoint>> feed_head(events::pg_connection& connection);

/// The feed position of the event at `global_position` when it comes after `checkpoint`;
/// nullopt when no committed event after `checkpoint` has that position.
events::result<std::optional<events::feed_checkpoint>> find_after(
    events::pg_connection& connection, events::feed_checkpoint checkpoint,
    std::int64_t global_position);

/// Whether committed events follow `checkpoint`, including those the feed still holds back.
events::result<bool> has_events_after(events::pg_connection& connection,
                                      events::feed_checkpoint checkpoint);

}  // namespace berth::projections
