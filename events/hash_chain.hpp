#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::events {

/// SHA-256 digest size in bytes.
inline constexpr std::size_t hash_size = 32;

/// The hash of one event in its stream's chain:
/// SHA-256(prev_hash || len type || type || len data || data || len metadata || metadata ||
/// body flag || len body || body), lengths as 8-byte big-endian, data and metadata in
/// canonical JSON. Length prefixes keep field boundaries unambiguous.
std::string event_hash(std::string_view prev_hash, std::string_view type,
                       std::string_view canonical_data, std::string_view canonical_metadata,
                       const std::optional<std::string>& body);

}  // namespace berth::events
