#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

namespace berth::docker {

/// Fills `buffer` with the next bytes of a request body: returns the count written, 0 at the
/// end of the body, or nothing to abort the transfer.
using body_source = std::function<std::optional<std::size_t>(std::span<char> buffer)>;

/// Receives the next piece of a response body; returns false to abort the transfer.
using body_sink = std::function<bool(std::string_view chunk)>;

}  // namespace berth::docker
