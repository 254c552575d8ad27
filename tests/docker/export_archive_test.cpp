#include "docker/export_archive.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <map>
#include <string>

#include "tests/docker/daemon_fixture.hpp"
#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

/// Inflates a gzip stream piece by piece, checking its CRC at the end (zlib does with +16).
class gunzip {
 public:
  gunzip() { inflateInit2(&stream_, 15 + 16); }
  ~gunzip() { inflateEnd(&stream_); }
  gunzip(const gunzip&) = delete;
  gunzip& operator=(const gunzip&) = delete;

  /// Inflates `compressed`, passing the output on; false on corrupt data or data after the end.
  bool add(std::string_view compressed, const std::function<void(std::string_view)>& on_data) {
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream_.avail_in = static_cast<uInt>(compressed.size());
    while (stream_.avail_in > 0) {
      if (ended_) return false;
      std::array<char, 64 * 1024> output;
      stream_.next_out = reinterpret_cast<Bytef*>(output.data());
      stream_.avail_out = static_cast<uInt>(output.size());
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END) return false;
      ended_ = status == Z_STREAM_END;
      on_data(std::string_view(output.data(), output.size() - stream_.avail_out));
    }
    return true;
  }

  /// Whether the gzip trailer arrived and matched.
  bool ended() const { return ended_; }

 private:
  z_stream stream_{};
  bool ended_ = false;
};

/// Checks streamed text against "1\n2\n3\n..." without keeping it.
class counting_lines {
 public:
  void add(std::string_view text) {
    for (const char c : text) {
      if (c != '\n') {
        line_ += c;
        continue;
      }
      in_order_ = in_order_ && line_ == std::to_string(next_);
      ++next_;
      line_.clear();
    }
  }
  bool in_order() const { return in_order_ && line_.empty(); }
  std::uint64_t lines() const { return next_ - 1; }

 private:
  std::string line_;
  std::uint64_t next_ = 1;
  bool in_order_ = true;
};

using tar_gz_exports = daemon_test;

TEST_F(tar_gz_exports, contain_every_file_of_the_folder) {
  auto id = create(test_spec({"true"}));
  std::string binary;
  for (int i = 0; i < 300000; ++i)
    binary += static_cast<char>(i * 13 % 256);
  std::vector<tar_entry> written = {
      {"project/", tar_entry::kind::directory, 0755, {}, {}, 0},
      {"project/readme.md", tar_entry::kind::file, 0644, "# berth\n", {}, 8},
      {"project/src/", tar_entry::kind::directory, 0755, {}, {}, 0},
      {"project/src/data.bin", tar_entry::kind::file, 0600, binary, {}, binary.size()},
      {"project/empty", tar_entry::kind::file, 0644, "", {}, 0},
  };
  auto uploaded = docker_->upload_archive(id, "/tmp", string_source(write_tar(written)));
  ASSERT_TRUE(uploaded) << describe(uploaded.error());

  std::string compressed;
  auto exported = export_tar_gz(*docker_, id, "/tmp/project", [&](std::string_view piece) {
    compressed.append(piece);
    return true;
  });
  ASSERT_TRUE(exported) << describe(exported.error());
  ASSERT_GE(compressed.size(), 2u);
  EXPECT_EQ(compressed.substr(0, 2), "\x1f\x8b");  // the gzip magic number (RFC 1952)

  std::string tar;
  gunzip inflater;
  ASSERT_TRUE(inflater.add(compressed, [&](std::string_view data) { tar.append(data); }));
  ASSERT_TRUE(inflater.ended());
  auto entries = read_tar(tar);
  ASSERT_TRUE(entries);
  std::map<std::string, tar_entry> by_name;
  for (auto& entry : *entries)
    by_name[entry.name] = entry;
  ASSERT_TRUE(by_name.contains("project/src/"));
  EXPECT_EQ(by_name["project/src/"].type, tar_entry::kind::directory);
  EXPECT_EQ(by_name["project/readme.md"].content, "# berth\n");
  EXPECT_EQ(by_name["project/src/data.bin"].content, binary);
  EXPECT_EQ(by_name["project/src/data.bin"].mode & 0777, 0600u);
  ASSERT_TRUE(by_name.contains("project/empty"));
  EXPECT_EQ(by_name["project/empty"].content, "");
}

TEST_F(tar_gz_exports, stream_a_50_megabyte_file_without_holding_it_in_memory) {
  // "1\n" up to "6500000\n" is 50.9 MB of text.
  constexpr std::uint64_t last_line = 6'500'000;
  auto id = create(test_spec({"sh", "-c", "seq 1 6500000 > /numbers"}));
  ASSERT_TRUE(docker_->start_container(id));
  auto exit_code = docker_->wait_container(id, std::chrono::seconds{120});
  ASSERT_TRUE(exit_code) << describe(exit_code.error());
  ASSERT_EQ(*exit_code, 0);

  auto peak_before = peak_resident_bytes();
  std::string header_block;
  std::uint64_t content_left = 0;
  counting_lines content;
  gunzip inflater;
  bool inflated = true;
  auto untar = [&](std::string_view data) {
    if (header_block.size() < 512) {
      const auto take = std::min(data.size(), 512 - header_block.size());
      header_block.append(data.substr(0, take));
      data.remove_prefix(take);
      if (header_block.size() < 512) return;
      auto header = read_first_header(header_block);
      content_left = header ? header->size : 0;
    }
    const auto take = std::min<std::uint64_t>(data.size(), content_left);
    content.add(data.substr(0, take));
    content_left -= take;
  };
  auto exported = export_tar_gz(*docker_, id, "/numbers", [&](std::string_view piece) {
    inflated = inflated && inflater.add(piece, untar);
    return true;
  });
  auto peak_after = peak_resident_bytes();
  ASSERT_TRUE(exported) << describe(exported.error());
  EXPECT_TRUE(inflated);
  EXPECT_TRUE(inflater.ended());
  auto header = read_first_header(header_block);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->name, "numbers");
  EXPECT_GT(header->size, 50'000'000u);
  EXPECT_EQ(content_left, 0u);
  EXPECT_TRUE(content.in_order());
  EXPECT_EQ(content.lines(), last_line);
  EXPECT_LT(peak_after - peak_before, 40u << 20)
      << "peak RSS grew from " << peak_before << " to " << peak_after << " bytes";
}

TEST_F(tar_gz_exports, stop_when_the_receiver_refuses_more_data) {
  auto id = create(test_spec({"true"}));
  int calls = 0;
  auto exported = export_tar_gz(*docker_, id, "/bin/busybox", [&](std::string_view) {
    ++calls;
    return false;
  });
  ASSERT_FALSE(exported);
  EXPECT_EQ(exported.error().code, error_code::cancelled);
  EXPECT_EQ(calls, 1);
}

TEST_F(tar_gz_exports, report_a_missing_path_as_not_found) {
  auto id = create(test_spec({"true"}));
  int calls = 0;
  auto exported = export_tar_gz(*docker_, id, "/no/such/folder", [&](std::string_view) {
    ++calls;
    return true;
  });
  ASSERT_FALSE(exported);
  EXPECT_EQ(exported.error().code, error_code::not_found);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace berth::docker::testing
