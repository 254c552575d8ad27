#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "events/event.hpp"

namespace berth::projections {

/// One SQL statement with its parameters (NULL as nullopt), produced by a pure `apply`.
struct row_change {
  std::string statement;
  std::vector<std::optional<std::string>> params;
  friend bool operator==(const row_change&, const row_change&) = default;
};

/// What one event means for a read model: its row changes, or nullopt when the event's type
/// is unknown to the projection (skipped, never an error).
using changes = std::optional<std::vector<row_change>>;

/// A read model: its name (the checkpoint key and the CLI's name), the tables it owns and
/// the pure function that maps one event to idempotent row changes.
struct projection {
  std::string name;
  std::vector<std::string> tables;  ///< emptied by rebuild
  std::function<changes(const events::recorded_event&)> apply;
};

/// Runs every event's changes inside `tx`, in order; returns the event types `apply` did
/// not know.
std::set<std::string> apply_events(pqxx::work& tx, const projection& read_model,
                                   const std::vector<events::recorded_event>& events);

}  // namespace berth::projections
