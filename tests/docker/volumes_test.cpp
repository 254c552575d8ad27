#include <gtest/gtest.h>

#include "tests/docker/daemon_fixture.hpp"

namespace berth::docker::testing {
namespace {

using volumes = daemon_test;

TEST_F(volumes, are_created_with_labels_inspected_and_removed) {
  auto name = unique_name("vol");
  track_volume(name);
  auto created = docker_->create_volume({name, "local", {{"berth.test", "1"}, {"role", "ws"}}});
  ASSERT_TRUE(created) << describe(created.error());
  EXPECT_EQ(created->name, name);
  auto inspected = docker_->inspect_volume(name);
  ASSERT_TRUE(inspected) << describe(inspected.error());
  EXPECT_EQ(inspected->driver, "local");
  EXPECT_EQ(inspected->labels.at("role"), "ws");
  EXPECT_FALSE(inspected->mountpoint.empty());

  ASSERT_TRUE(docker_->remove_volume(name));
  auto gone = docker_->inspect_volume(name);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, error_code::not_found);
  auto again = docker_->remove_volume(name);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, error_code::not_found);
}

TEST_F(volumes, cannot_be_removed_while_a_container_uses_them) {
  auto name = unique_name("busy");
  track_volume(name);
  ASSERT_TRUE(docker_->create_volume({name, "local", {{"berth.test", "1"}}}));
  auto spec = test_spec({"true"});
  spec.mounts = {{"volume", name, "/workspace", false}};
  auto id = create(spec);
  auto busy = docker_->remove_volume(name);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, error_code::conflict) << describe(busy.error());
  auto info = docker_->inspect_container(id);
  ASSERT_TRUE(info);
  ASSERT_EQ(info->mounts.size(), 1u);
  EXPECT_EQ(info->mounts[0].source, name);
  EXPECT_EQ(info->mounts[0].target, "/workspace");
}

TEST_F(volumes, keep_their_data_across_container_recreation) {
  auto name = unique_name("keep");
  track_volume(name);
  ASSERT_TRUE(docker_->create_volume({name, "local", {{"berth.test", "1"}}}));
  auto spec = test_spec({});
  spec.mounts = {{"volume", name, "/workspace", false}};
  auto first = start_sleeper(spec);
  auto wrote = run_exec(first, {"sh", "-c", "echo kept > /workspace/file"});
  ASSERT_TRUE(wrote.closed && !wrote.failure) << wrote.std_err;
  ASSERT_TRUE(docker_->remove_container(first, {.force = true, .volumes = true}));
  auto second = start_sleeper(spec);
  auto read = run_exec(second, {"cat", "/workspace/file"});
  EXPECT_EQ(read.std_out, "kept\n");
}

}  // namespace
}  // namespace berth::docker::testing
