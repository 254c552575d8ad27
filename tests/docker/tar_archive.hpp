#pragma once

// A minimal ustar writer and reader for tests: enough for busybox images and archive checks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::docker::testing {

/// One member of a tar archive.
struct tar_entry {
  enum class kind : char { file = '0', symlink = '2', directory = '5' };
  std::string name;
  kind type = kind::file;
  unsigned mode = 0644;
  std::string content;      ///< Regular files only.
  std::string link_target;  ///< Symlinks only.
  std::uint64_t size = 0;   ///< From the header; equals content.size() for written files.
};

/// Serialises entries as a ustar archive, ending with the two zero blocks.
std::string write_tar(const std::vector<tar_entry>& entries);

/// Parses a whole ustar archive; nothing when a header is malformed or the data is truncated.
std::optional<std::vector<tar_entry>> read_tar(std::string_view archive);

/// Parses just the header of the first member (the first 512 bytes).
std::optional<tar_entry> read_first_header(std::string_view first_block);

}  // namespace berth::docker::testing
