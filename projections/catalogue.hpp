#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "projections/row_change.hpp"

namespace berth::projections {

/// Every read model Berth maintains, each with its own checkpoint row.
const std::vector<projection>& all_projections();

/// The names of `all_projections()`: `workspaces`, `audit`, `users`, `templates`, `sessions`.
std::vector<std::string> projection_names();

/// The projection called `name`, or nullptr.
const projection* find_projection(std::string_view name);

}  // namespace berth::projections
