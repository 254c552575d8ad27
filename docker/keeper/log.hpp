#pragma once
// The keeper's diagnostics: one line per event on stderr (Docker keeps it as the container log).
// Never pass environment values or input bytes here: they may hold secrets.

#include <unistd.h>

#include <string>
#include <string_view>

namespace berth::keeper {

/// Writes "keeper: <text>\n" to stderr in one write so lines never interleave.
inline void log_line(std::string_view text) {
  std::string line = "keeper: ";
  line.append(text);
  line.push_back('\n');
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace berth::keeper
