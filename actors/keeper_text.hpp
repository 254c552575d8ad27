#pragma once

// Text that comes from a keeper (error messages, diagnostics) is written by whoever controls
// the container: it goes to logs and API errors only in this quoted form, never verbatim, so
// it cannot forge log lines, carry terminal escapes to an admin's screen, or fill the disk.

#include <cstddef>
#include <string>
#include <string_view>

namespace berth::actors {

/// Longest keeper text kept, in bytes: enough for any real keeper error message.
inline constexpr std::size_t max_keeper_text = 160;

/// `text` cut to max_keeper_text bytes (marked with "..."), every byte outside printable
/// ASCII replaced by '?', so that the result is one harmless line.
std::string quote_keeper_text(std::string_view text);

}  // namespace berth::actors
