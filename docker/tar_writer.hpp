#pragma once

// A minimal ustar writer (POSIX.1-1988 "ustar" header, as GNU tar and Docker read it): enough
// to hand the daemon one regular file and its parent directories without a temporary file.
// The content itself is not copied here: callers stream it between `head` and `tail`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace berth::docker {

/// Size of a tar block: headers are one block, content is padded to whole blocks.
inline constexpr std::size_t tar_block_size = 512;

/// The member types this writer produces.
enum class tar_member_type : char { regular_file = '0', directory = '5' };

/// One archive member's header fields; numeric ids only, names "root" for id 0.
struct tar_member {
  std::string path;  ///< Relative, '/'-separated, at most 100 bytes (no ustar prefix split).
  tar_member_type type = tar_member_type::regular_file;
  unsigned mode = 0644;            ///< Permission bits, e.g. 0755.
  std::uint64_t size = 0;          ///< Content bytes; 0 for directories.
  unsigned uid = 0;                ///< Owner id; the daemon applies it when extracting.
  unsigned gid = 0;                ///< Group id.
  std::int64_t modified_time = 0;  ///< Seconds since the epoch.
};

/// The 512-byte header of a member, or why the member cannot be written.
tl::expected<std::string, std::string> tar_header(const tar_member& member);

/// Zero bytes that follow `size` content bytes to fill their last block.
std::size_t tar_padding(std::uint64_t size);

/// The end-of-archive marker: two zero blocks.
std::string tar_end();

/// A one-file archive split around the file's content: `head + content + tail` is the tar.
struct single_file_tar {
  std::string head;  ///< Headers of the parent directories (mode 0755), then of the file.
  std::string tail;  ///< Padding of the content, then the end-of-archive marker.
};

/// Frames a file of `size` bytes at relative `path` (parents first, e.g. "opt/", "opt/berth/")
/// owned by `uid`:`gid`; fails for absolute, empty or over-long paths.
tl::expected<single_file_tar, std::string> frame_single_file(std::string_view path, unsigned mode,
                                                             std::uint64_t size, unsigned uid = 0,
                                                             unsigned gid = 0,
                                                             std::int64_t modified_time = 0);

}  // namespace berth::docker
