#include "docker/tar_writer.hpp"

#include <algorithm>
#include <cstring>

namespace berth::docker {
namespace {

// Field offsets and widths of the ustar header (POSIX.1-1988, pax(1) "ustar Interchange Format").
constexpr std::size_t name_offset = 0, name_width = 100;
constexpr std::size_t mode_offset = 100, id_width = 8;
constexpr std::size_t uid_offset = 108, gid_offset = 116;
constexpr std::size_t size_offset = 124, number_width = 12;
constexpr std::size_t mtime_offset = 136;
constexpr std::size_t checksum_offset = 148, checksum_width = 8;
constexpr std::size_t type_offset = 156;
constexpr std::size_t magic_offset = 257;
constexpr std::size_t uname_offset = 265, gname_offset = 297;

/// Writes `value` as zero-padded octal digits filling all but the last byte, which is NUL.
bool put_octal(char* field, std::size_t width, std::uint64_t value) {
  field[width - 1] = '\0';
  for (std::size_t i = width - 1; i-- > 0; value /= 8) {
    field[i] = static_cast<char>('0' + value % 8);
  }
  return value == 0;  // digits left over: the number does not fit
}

}  // namespace

tl::expected<std::string, std::string> tar_header(const tar_member& member) {
  if (member.path.empty() || member.path.size() > name_width) {
    return tl::unexpected("tar member path must be 1 to 100 bytes: '" + member.path + "'");
  }
  if (member.path.front() == '/' || member.path.find('\0') != std::string::npos) {
    return tl::unexpected("tar member path must be relative and free of NUL: '" + member.path +
                          "'");
  }
  if (member.modified_time < 0) return tl::unexpected(std::string{"negative modification time"});
  std::string header(tar_block_size, '\0');
  char* h = header.data();
  std::memcpy(h + name_offset, member.path.data(), member.path.size());
  bool fits =
      put_octal(h + mode_offset, id_width, member.mode & 07777) &&
      put_octal(h + uid_offset, id_width, member.uid) &&
      put_octal(h + gid_offset, id_width, member.gid) &&
      put_octal(h + size_offset, number_width,
                member.type == tar_member_type::directory ? 0 : member.size) &&
      put_octal(h + mtime_offset, number_width, static_cast<std::uint64_t>(member.modified_time));
  if (!fits) return tl::unexpected("tar member '" + member.path + "': a number is too large");
  h[type_offset] = static_cast<char>(member.type);
  std::memcpy(h + magic_offset,
              "ustar\0"
              "00",
              8);  // magic "ustar" NUL, version "00"
  if (member.uid == 0) std::memcpy(h + uname_offset, "root", 4);
  if (member.gid == 0) std::memcpy(h + gname_offset, "root", 4);
  // The checksum is the byte sum of the header with its own field read as eight spaces,
  // stored as six octal digits, a NUL and a space.
  std::memset(h + checksum_offset, ' ', checksum_width);
  unsigned sum = 0;
  for (char c : header)
    sum += static_cast<unsigned char>(c);
  put_octal(h + checksum_offset, checksum_width - 1, sum);
  h[checksum_offset + checksum_width - 1] = ' ';
  return header;
}

std::size_t tar_padding(std::uint64_t size) {
  return static_cast<std::size_t>((tar_block_size - size % tar_block_size) % tar_block_size);
}

std::string tar_end() {
  return std::string(2 * tar_block_size, '\0');
}

tl::expected<single_file_tar, std::string> frame_single_file(std::string_view path, unsigned mode,
                                                             std::uint64_t size, unsigned uid,
                                                             unsigned gid,
                                                             std::int64_t modified_time) {
  if (path.empty() || path.back() == '/') {
    return tl::unexpected("a file path must not be empty or end in '/': '" + std::string{path} +
                          "'");
  }
  single_file_tar archive;
  // Each parent gets its own header so the daemon creates it with a known owner and mode.
  for (auto slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    tar_member directory{std::string{path.substr(0, slash + 1)},
                         tar_member_type::directory,
                         0755,
                         0,
                         uid,
                         gid,
                         modified_time};
    auto header = tar_header(directory);
    if (!header) return tl::unexpected(header.error());
    archive.head += *header;
  }
  auto header = tar_header(
      {std::string{path}, tar_member_type::regular_file, mode, size, uid, gid, modified_time});
  if (!header) return tl::unexpected(header.error());
  archive.head += *header;
  archive.tail.assign(tar_padding(size), '\0');
  archive.tail += tar_end();
  return archive;
}

}  // namespace berth::docker
