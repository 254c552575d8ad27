#include "projections/row_change.hpp"

namespace berth::projections {

std::set<std::string> apply_events(pqxx::work& tx, const projection& read_model,
                                   const std::vector<events::recorded_event>& events) {
  std::set<std::string> unknown_types;
  std::vector<const char*> params;
  for (const auto& event : events) {
    const auto event_changes = read_model.apply(event);
    if (!event_changes) {
      unknown_types.insert(event.type);
      continue;
    }
    for (const auto& change : *event_changes) {
      params.clear();
      // libpqxx 6.4 passes a null `const char*` as SQL NULL.
      for (const auto& param : change.params)
        params.push_back(param ? param->c_str() : nullptr);
      tx.exec_params(change.statement, pqxx::prepare::make_dynamic_params(params));
    }
  }
  return unknown_types;
}

}  // namespace berth::projections
