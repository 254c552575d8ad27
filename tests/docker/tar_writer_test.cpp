#include "docker/tar_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/docker/tar_archive.hpp"

namespace berth::docker {
namespace {

std::string field(const std::string& header, std::size_t offset, std::size_t width) {
  auto text = header.substr(offset, width);
  return text.substr(0, text.find('\0'));
}

TEST(tar_writer, stores_a_checksum_equal_to_the_header_sum_with_the_field_read_as_spaces) {
  auto header = tar_header(
      {"opt/berth/keeper", tar_member_type::regular_file, 0755, 12345, 0, 0, 1700000000});
  ASSERT_TRUE(header) << header.error();
  ASSERT_EQ(header->size(), tar_block_size);
  auto blanked = *header;
  std::fill_n(blanked.begin() + 148, 8, ' ');
  unsigned sum = 0;
  for (char c : blanked)
    sum += static_cast<unsigned char>(c);
  // Six octal digits, a NUL and a space, as GNU tar writes it.
  EXPECT_EQ(std::stoul(header->substr(148, 6), nullptr, 8), sum);
  EXPECT_EQ((*header)[154], '\0');
  EXPECT_EQ((*header)[155], ' ');
}

TEST(tar_writer, writes_ustar_fields_for_a_root_owned_executable) {
  auto header = tar_header({"opt/berth/keeper", tar_member_type::regular_file, 0755, 8, 0, 0, 9});
  ASSERT_TRUE(header) << header.error();
  EXPECT_EQ(field(*header, 0, 100), "opt/berth/keeper");
  EXPECT_EQ(field(*header, 100, 8), "0000755");
  EXPECT_EQ(field(*header, 108, 8), "0000000");
  EXPECT_EQ(field(*header, 116, 8), "0000000");
  EXPECT_EQ(field(*header, 124, 12), "00000000010");
  EXPECT_EQ(field(*header, 136, 12), "00000000011");
  EXPECT_EQ((*header)[156], '0');
  EXPECT_EQ(header->substr(257, 8), std::string("ustar\0"
                                                "00",
                                                8));
  EXPECT_EQ(field(*header, 265, 32), "root");
  EXPECT_EQ(field(*header, 297, 32), "root");
}

TEST(tar_writer, pads_content_to_whole_512_byte_blocks) {
  EXPECT_EQ(tar_padding(0), 0u);
  EXPECT_EQ(tar_padding(1), 511u);
  EXPECT_EQ(tar_padding(511), 1u);
  EXPECT_EQ(tar_padding(512), 0u);
  EXPECT_EQ(tar_padding(513), 511u);
  EXPECT_EQ(tar_padding(6618376), (512 - 6618376 % 512) % 512);
}

TEST(tar_writer, ends_an_archive_with_two_zero_blocks) {
  auto end = tar_end();
  EXPECT_EQ(end.size(), 2 * tar_block_size);
  EXPECT_TRUE(std::all_of(end.begin(), end.end(), [](char c) { return c == '\0'; }));
}

TEST(tar_writer, frames_a_file_after_headers_for_each_parent_directory) {
  const std::string content = "#!keeper\n" + std::string(700, 'k');
  auto framed = frame_single_file("opt/berth/keeper", 0755, content.size(), 0, 0, 1700000000);
  ASSERT_TRUE(framed) << framed.error();
  const auto archive = framed->head + content + framed->tail;
  EXPECT_EQ(archive.size() % tar_block_size, 0u);
  EXPECT_EQ(framed->head.size(), 3 * tar_block_size);
  EXPECT_EQ(framed->tail.size(), tar_padding(content.size()) + 2 * tar_block_size);
  EXPECT_TRUE(archive.ends_with(tar_end()));

  // An independent reader (the tests' own) sees parents first, then the file.
  auto entries = testing::read_tar(archive);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "opt/");
  EXPECT_EQ((*entries)[0].type, testing::tar_entry::kind::directory);
  EXPECT_EQ((*entries)[0].mode, 0755u);
  EXPECT_EQ((*entries)[1].name, "opt/berth/");
  EXPECT_EQ((*entries)[1].type, testing::tar_entry::kind::directory);
  EXPECT_EQ((*entries)[2].name, "opt/berth/keeper");
  EXPECT_EQ((*entries)[2].type, testing::tar_entry::kind::file);
  EXPECT_EQ((*entries)[2].mode, 0755u);
  EXPECT_EQ((*entries)[2].content, content);
}

TEST(tar_writer, frames_a_file_at_the_top_level_without_directory_headers) {
  auto framed = frame_single_file("keeper", 0644, 0);
  ASSERT_TRUE(framed) << framed.error();
  EXPECT_EQ(framed->head.size(), tar_block_size);
  EXPECT_EQ(framed->tail, tar_end());
}

TEST(tar_writer, refuses_absolute_empty_directory_like_and_over_long_paths) {
  EXPECT_FALSE(frame_single_file("/opt/berth/keeper", 0755, 1));
  EXPECT_FALSE(frame_single_file("", 0755, 1));
  EXPECT_FALSE(frame_single_file("opt/berth/", 0755, 1));
  EXPECT_FALSE(frame_single_file(std::string(101, 'a'), 0755, 1));
  EXPECT_TRUE(frame_single_file(std::string(100, 'a'), 0755, 1));
}

TEST(tar_writer, refuses_numbers_wider_than_their_octal_fields) {
  // uid has seven octal digits: 8^7 does not fit; sizes have eleven: 8^11 (8 GiB) does not.
  EXPECT_FALSE(tar_header({"f", tar_member_type::regular_file, 0644, 0, 1u << 21, 0, 0}));
  EXPECT_TRUE(tar_header({"f", tar_member_type::regular_file, 0644, 0, (1u << 21) - 1, 0, 0}));
  EXPECT_FALSE(tar_header({"f", tar_member_type::regular_file, 0644, 1ull << 33, 0, 0, 0}));
  EXPECT_TRUE(tar_header({"f", tar_member_type::regular_file, 0644, (1ull << 33) - 1, 0, 0, 0}));
}

}  // namespace
}  // namespace berth::docker
