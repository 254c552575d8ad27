#include <gtest/gtest.h>

#include "tests/docker/daemon_fixture.hpp"
#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

using archives = daemon_test;

TEST_F(archives, round_trip_what_was_uploaded) {
  auto id = create(test_spec({"true"}));
  std::string binary;
  for (int i = 0; i < 70000; ++i)
    binary += static_cast<char>(i * 7 % 256);
  std::vector<tar_entry> written = {
      {"greeting/", tar_entry::kind::directory, 0755, {}, {}, 0},
      {"greeting/hello.txt", tar_entry::kind::file, 0644, "hello, berth\n", {}, 13},
      {"greeting/binary.bin", tar_entry::kind::file, 0600, binary, {}, binary.size()},
      {"greeting/empty", tar_entry::kind::file, 0644, "", {}, 0},
  };
  // Works on a created, never-started container: that is how the keeper gets in.
  auto uploaded = docker_->upload_archive(id, "/tmp", string_source(write_tar(written), 1000));
  ASSERT_TRUE(uploaded) << describe(uploaded.error());

  std::string downloaded;
  auto fetched = docker_->download_archive(id, "/tmp/greeting", [&](std::string_view chunk) {
    downloaded.append(chunk);
    return true;
  });
  ASSERT_TRUE(fetched) << describe(fetched.error());
  auto entries = read_tar(downloaded);
  ASSERT_TRUE(entries);
  std::map<std::string, tar_entry> by_name;
  for (auto& entry : *entries)
    by_name[entry.name] = entry;
  ASSERT_TRUE(by_name.contains("greeting/hello.txt"));
  EXPECT_EQ(by_name["greeting/hello.txt"].content, "hello, berth\n");
  EXPECT_EQ(by_name["greeting/binary.bin"].content, binary);
  EXPECT_EQ(by_name["greeting/binary.bin"].mode & 0777, 0600u);
  EXPECT_EQ(by_name["greeting/empty"].content, "");
}

TEST_F(archives, report_a_missing_path_as_not_found) {
  auto id = create(test_spec({"true"}));
  auto fetched =
      docker_->download_archive(id, "/no/such/path", [](std::string_view) { return true; });
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, error_code::not_found);
  EXPECT_NE(fetched.error().message.find("Could not find the file"), std::string::npos)
      << fetched.error().message;
}

TEST_F(archives, stop_when_the_sink_refuses_more_data) {
  auto id = create(test_spec({"true"}));
  std::size_t received = 0;
  auto fetched = docker_->download_archive(id, "/bin/busybox", [&](std::string_view chunk) {
    received += chunk.size();
    return false;
  });
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, error_code::cancelled);
  EXPECT_GT(received, 0u);
}

TEST_F(archives, stream_a_200_megabyte_download_without_holding_it_in_memory) {
  constexpr std::uint64_t file_size = 200ull << 20;
  auto id = create(test_spec({"dd", "if=/dev/zero", "of=/big", "bs=1048576", "count=200"}));
  ASSERT_TRUE(docker_->start_container(id));
  auto exit_code = docker_->wait_container(id, std::chrono::seconds{120});
  ASSERT_TRUE(exit_code) << describe(exit_code.error());
  ASSERT_EQ(*exit_code, 0);

  auto peak_before = peak_resident_bytes();
  std::uint64_t received = 0;
  std::string first_block;
  auto fetched = docker_->download_archive(id, "/big", [&](std::string_view chunk) {
    if (first_block.size() < 512) first_block.append(chunk.substr(0, 512 - first_block.size()));
    received += chunk.size();
    return true;
  });
  auto peak_after = peak_resident_bytes();
  ASSERT_TRUE(fetched) << describe(fetched.error());
  auto header = read_first_header(first_block);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->name, "big");
  EXPECT_EQ(header->size, file_size);
  EXPECT_GE(received, file_size + 512);
  EXPECT_LT(peak_after - peak_before, 40u << 20)
      << "peak RSS grew from " << peak_before << " to " << peak_after << " bytes";
}

}  // namespace
}  // namespace berth::docker::testing
