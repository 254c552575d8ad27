#include "tests/docker/tar_archive.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace berth::docker::testing {
namespace {

constexpr std::size_t block = 512;

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  // width-1 zero-padded octal digits and a NUL, as ustar requires.
  field[width - 1] = '\0';
  for (std::size_t i = width - 1; i-- > 0; value /= 8)
    field[i] = static_cast<char>('0' + value % 8);
}

std::uint64_t get_octal(const char* field, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
    value = value * 8 + static_cast<std::uint64_t>(field[i] - '0');
  }
  return value;
}

std::string header_for(const tar_entry& entry) {
  std::string header(block, '\0');
  char* h = header.data();
  std::memcpy(h, entry.name.data(), std::min<std::size_t>(entry.name.size(), 100));
  put_octal(h + 100, 8, entry.mode);
  put_octal(h + 108, 8, 0);  // uid
  put_octal(h + 116, 8, 0);  // gid
  put_octal(h + 124, 12, entry.type == tar_entry::kind::file ? entry.content.size() : 0);
  put_octal(h + 136, 12, 1700000000);  // mtime
  h[156] = static_cast<char>(entry.type);
  std::memcpy(h + 157, entry.link_target.data(),
              std::min<std::size_t>(entry.link_target.size(), 100));
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  // The checksum is computed with its own field read as spaces.
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : header)
    sum += static_cast<unsigned char>(c);
  put_octal(h + 148, 7, sum);
  h[155] = ' ';
  return header;
}

std::string field_text(const char* field, std::size_t width) {
  return std::string{field, strnlen(field, width)};
}

}  // namespace

std::string write_tar(const std::vector<tar_entry>& entries) {
  std::string archive;
  for (const auto& entry : entries) {
    archive += header_for(entry);
    if (entry.type == tar_entry::kind::file) {
      archive += entry.content;
      archive.append((block - entry.content.size() % block) % block, '\0');
    }
  }
  archive.append(2 * block, '\0');
  return archive;
}

std::optional<tar_entry> read_first_header(std::string_view first_block) {
  if (first_block.size() < block) return std::nullopt;
  const char* h = first_block.data();
  if (std::memcmp(h + 257, "ustar", 5) != 0) return std::nullopt;
  tar_entry entry;
  std::string prefix = field_text(h + 345, 155);
  entry.name = field_text(h, 100);
  if (!prefix.empty()) entry.name = prefix + "/" + entry.name;
  entry.mode = static_cast<unsigned>(get_octal(h + 100, 8));
  entry.size = get_octal(h + 124, 12);
  entry.type = h[156] == '\0' ? tar_entry::kind::file : static_cast<tar_entry::kind>(h[156]);
  entry.link_target = field_text(h + 157, 100);
  return entry;
}

std::optional<std::vector<tar_entry>> read_tar(std::string_view archive) {
  std::vector<tar_entry> entries;
  std::optional<std::string> long_name;
  while (archive.size() >= block) {
    if (std::all_of(archive.begin(), archive.begin() + block, [](char c) { return c == '\0'; })) {
      return entries;
    }
    auto entry = read_first_header(archive);
    if (!entry) return std::nullopt;
    archive.remove_prefix(block);
    auto padded = (entry->size + block - 1) / block * block;
    if (archive.size() < padded) return std::nullopt;
    auto data = archive.substr(0, entry->size);
    archive.remove_prefix(padded);
    char type = static_cast<char>(entry->type);
    if (type == 'L') {  // GNU long name: the data is the next member's name
      long_name = std::string{data.data(), strnlen(data.data(), data.size())};
      continue;
    }
    if (type == 'x' || type == 'g') continue;  // pax headers carry only metadata we ignore
    if (long_name) entry->name = *std::exchange(long_name, std::nullopt);
    if (entry->type == tar_entry::kind::file) entry->content = std::string{data};
    entries.push_back(std::move(*entry));
  }
  return std::nullopt;
}

}  // namespace berth::docker::testing
