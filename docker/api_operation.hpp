#pragma once

#include <string>
#include <string_view>

namespace berth::docker {

/// The low-cardinality name of a Docker Engine API call, for metrics and span names: the
/// method and the path with the API version prefix and the query dropped and ids and names
/// replaced, e.g. `POST /v1.41/containers/3f2a.../start?t=5` → `POST /containers/{id}/start`.
/// Image names may hold `/` (`library/ubuntu:22.04`) and become one `{name}`.
std::string api_operation(std::string_view method, std::string_view target);

}  // namespace berth::docker
