// Workspace containers as create_workspace_container makes them, against the real daemon:
// labels, limits, privileges, the keeper inside, and the volume outliving the container.

#include <unistd.h>

#include "docker/tar_writer.hpp"
#include "tests/docker/keeper_fixture.hpp"
#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

TEST_F(workspace_containers, are_labelled_limited_stripped_of_privileges_and_hold_the_keeper) {
  auto workspace = spec();
  const auto container = create(workspace);
  ASSERT_FALSE(container.empty());
  auto info = docker_->inspect_container(container);
  ASSERT_TRUE(info) << describe(info.error());
  const auto name = workspace_resource_name(workspace.workspace_id);
  EXPECT_EQ(info->name, name);
  EXPECT_EQ(info->labels.at("berth.workspace"), workspace.workspace_id);
  EXPECT_EQ(info->labels.at("berth.owner"), "user-7");
  EXPECT_EQ(info->labels.at("berth.test"), "1");
  EXPECT_EQ(info->limits, workspace.limits);
  EXPECT_EQ(info->security_options, std::vector<std::string>{"no-new-privileges"});
  EXPECT_EQ(info->cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_TRUE(info->init);
  ASSERT_EQ(info->mounts.size(), 1u);
  EXPECT_EQ(info->mounts[0].type, "volume");
  EXPECT_EQ(info->mounts[0].source, name);
  EXPECT_EQ(info->mounts[0].target, "/workspace");

  auto raw = raw_inspect(docker_->host(), container);
  ASSERT_FALSE(raw.empty());
  const auto& config = raw.at("Config").as_object();
  EXPECT_EQ(config.at("User").as_string(), "1000:1000");
  EXPECT_EQ(config.at("WorkingDir").as_string(), "/workspace");
  EXPECT_EQ(config.at("Cmd"), boost::json::value(boost::json::array{"/opt/berth/keeper", "serve"}));
  const auto& host_config = raw.at("HostConfig").as_object();
  EXPECT_EQ(host_config.at("MemorySwap").as_int64(), 512 << 20);
  EXPECT_EQ(host_config.at("RestartPolicy").at("Name").as_string(), "no");
  EXPECT_EQ(host_config.at("LogConfig").at("Config").at("max-size").as_string(), "10m");

  auto volume = docker_->inspect_volume(name);
  ASSERT_TRUE(volume) << describe(volume.error());
  EXPECT_EQ(volume->labels.at("berth.workspace"), workspace.workspace_id);

  // The keeper was uploaded before any start: root-owned, executable, byte for byte.
  std::string archive;
  auto downloaded =
      docker_->download_archive(container, "/opt/berth/keeper", [&](std::string_view chunk) {
        archive.append(chunk);
        return true;
      });
  ASSERT_TRUE(downloaded) << describe(downloaded.error());
  auto entries = read_tar(archive);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].mode & 07777, 0755u);
  EXPECT_TRUE((*entries)[0].content == loaded_keeper().content);
  ASSERT_GE(archive.size(), tar_block_size);
  EXPECT_EQ(std::stoul(archive.substr(108, 7), nullptr, 8), 0u) << "uid";
  EXPECT_EQ(std::stoul(archive.substr(116, 7), nullptr, 8), 0u) << "gid";
}

TEST_F(workspace_containers, that_allow_sudo_keep_capabilities_and_setuid) {
  auto workspace = spec();
  workspace.sudo_allowed = true;
  const auto container = create(workspace);
  auto info = docker_->inspect_container(container);
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_TRUE(info->security_options.empty());
  EXPECT_TRUE(info->cap_drop.empty());
}

TEST_F(workspace_containers, keep_their_volume_when_the_container_is_removed_and_recreated) {
  auto workspace = spec();
  auto container = create(workspace);
  const std::string note = "still here\n";
  auto framed = frame_single_file("note.txt", 0644, note.size(), 1000, 1000);
  ASSERT_TRUE(framed) << framed.error();
  std::string tar = framed->head + note + framed->tail;
  auto uploaded = docker_->upload_archive(
      container, "/workspace",
      [&, offset = std::size_t{0}](std::span<char> buffer) mutable -> std::optional<std::size_t> {
        const auto count = std::min(buffer.size(), tar.size() - offset);
        std::copy_n(tar.data() + offset, count, buffer.data());
        offset += count;
        return count;
      });
  ASSERT_TRUE(uploaded) << describe(uploaded.error());

  auto removed = docker_->remove_container(container, {.force = true, .volumes = true});
  ASSERT_TRUE(removed) << describe(removed.error());
  auto volume = docker_->inspect_volume(workspace_resource_name(workspace.workspace_id));
  ASSERT_TRUE(volume) << "the volume went with the container: " << describe(volume.error());

  container = create(workspace);
  std::string archive;
  auto downloaded =
      docker_->download_archive(container, "/workspace/note.txt", [&](std::string_view chunk) {
        archive.append(chunk);
        return true;
      });
  ASSERT_TRUE(downloaded) << describe(downloaded.error());
  auto entries = read_tar(archive);
  ASSERT_TRUE(entries && entries->size() == 1u);
  EXPECT_EQ((*entries)[0].content, note);
}

}  // namespace
}  // namespace berth::docker::testing
