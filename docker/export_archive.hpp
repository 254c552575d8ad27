#pragma once

#include <functional>
#include <string_view>

#include <tl/expected.hpp>

#include "docker/client.hpp"
#include "docker/error.hpp"

namespace berth::docker {

/// Streams `path` of a container as a gzip-compressed tar (RFC 1952) into `write`, one
/// compressed piece at a time and never the whole archive; when `write` returns false the
/// download stops and the result is a `cancelled` error.
tl::expected<void, error> export_tar_gz(client& docker, std::string_view container_id,
                                        std::string_view path,
                                        const std::function<bool(std::string_view)>& write);

}  // namespace berth::docker
