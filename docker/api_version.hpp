#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "docker/error.hpp"

namespace berth::docker {

/// An Engine API version such as 1.41, ordered numerically (1.9 < 1.41).
struct api_version {
  int major = 0;
  int minor = 0;

  friend auto operator<=>(const api_version&, const api_version&) = default;
};

/// The Engine API version Berth is written against (Docker 20.10).
inline constexpr api_version required_api_version{1, 41};

/// Parses "1.41"; returns nothing for anything else.
std::optional<api_version> parse_api_version(std::string_view text);

/// Formats a version as "1.41".
std::string to_string(api_version version);

/// Picks min(required, daemon's) and fails with `unsupported_version` when that is too old.
tl::expected<api_version, error> negotiate_api_version(std::string_view daemon_version);

}  // namespace berth::docker
