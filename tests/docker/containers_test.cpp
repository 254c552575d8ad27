#include <gtest/gtest.h>

#include "tests/docker/daemon_fixture.hpp"

namespace berth::docker::testing {
namespace {

using containers = daemon_test;

std::string status_of(client& docker, const std::string& id) {
  auto info = docker.inspect_container(id);
  return info ? info->state.status : "error: " + describe(info.error());
}

TEST_F(containers, report_an_unknown_image_as_not_found_with_the_daemons_message) {
  auto spec = test_spec({"true"});
  spec.image = "berth-test-no-such-image:404";
  auto created = docker_->create_container(spec);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, error_code::not_found);
  EXPECT_EQ(created.error().http_status, 404);
  EXPECT_NE(created.error().message.find("No such image"), std::string::npos)
      << created.error().message;
}

TEST_F(containers, see_the_imported_test_image_and_no_unknown_one) {
  auto info = docker_->inspect_image(test_image);
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_TRUE(info->id.starts_with("sha256:"));
  EXPECT_EQ(info->os, "linux");
  EXPECT_NE(std::find(info->repo_tags.begin(), info->repo_tags.end(), test_image),
            info->repo_tags.end());
  EXPECT_EQ(docker_->image_exists(test_image), true);
  EXPECT_EQ(docker_->image_exists("berth-test-no-such-image:404"), false);
}

TEST_F(containers, report_an_unknown_container_as_not_found) {
  auto info = docker_->inspect_container("berth-test-no-such-container");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, error_code::not_found);
  EXPECT_NE(info.error().message.find("No such container"), std::string::npos);
}

TEST_F(containers, report_a_name_in_use_as_conflict) {
  auto spec = test_spec({"true"});
  spec.name = unique_name("twice");
  create(spec);
  auto again = docker_->create_container(spec);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, error_code::conflict);
}

TEST_F(containers, move_through_start_pause_unpause_stop_and_remove) {
  auto id = create(test_spec({"sleep", "3600"}));
  EXPECT_EQ(status_of(*docker_, id), "created");

  EXPECT_EQ(docker_->start_container(id), transition::changed);
  EXPECT_EQ(status_of(*docker_, id), "running");
  // 304 from the daemon: starting a running container is a no-op, not an error.
  EXPECT_EQ(docker_->start_container(id), transition::already_done);

  ASSERT_TRUE(docker_->pause_container(id));
  EXPECT_EQ(status_of(*docker_, id), "paused");
  auto start_paused = docker_->start_container(id);
  ASSERT_FALSE(start_paused);
  EXPECT_EQ(start_paused.error().code, error_code::conflict) << describe(start_paused.error());
  auto pause_again = docker_->pause_container(id);
  ASSERT_FALSE(pause_again);
  EXPECT_EQ(pause_again.error().code, error_code::conflict) << describe(pause_again.error());

  ASSERT_TRUE(docker_->unpause_container(id));
  EXPECT_EQ(status_of(*docker_, id), "running");
  auto unpause_again = docker_->unpause_container(id);
  ASSERT_FALSE(unpause_again);
  EXPECT_EQ(unpause_again.error().code, error_code::conflict) << describe(unpause_again.error());

  auto remove_running = docker_->remove_container(id);
  ASSERT_FALSE(remove_running);
  EXPECT_EQ(remove_running.error().code, error_code::conflict);

  EXPECT_EQ(docker_->stop_container(id, std::chrono::seconds{5}), transition::changed);
  auto stopped = docker_->inspect_container(id);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->state.status, "exited");
  // docker-init forwards SIGTERM to sleep, which dies of it: 128 + 15.
  EXPECT_EQ(stopped->state.exit_code, 143);
  EXPECT_EQ(docker_->stop_container(id, std::chrono::seconds{5}), transition::already_done);

  ASSERT_TRUE(docker_->remove_container(id));
  auto gone = docker_->inspect_container(id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, error_code::not_found);
  auto remove_again = docker_->remove_container(id);
  ASSERT_FALSE(remove_again);
  EXPECT_EQ(remove_again.error().code, error_code::not_found);
}

TEST_F(containers, kill_ends_a_running_container_and_conflicts_when_it_is_not_running) {
  auto id = start_sleeper(test_spec({}));
  ASSERT_TRUE(docker_->kill_container(id, "SIGKILL"));
  auto exit_code = docker_->wait_container(id, std::chrono::seconds{20});
  ASSERT_TRUE(exit_code) << describe(exit_code.error());
  EXPECT_EQ(*exit_code, 137);
  auto again = docker_->kill_container(id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, error_code::conflict) << describe(again.error());
}

TEST_F(containers, are_listed_by_label_including_stopped_ones) {
  auto run = unique_name("list");
  auto spec = test_spec({"true"});
  spec.labels["berth.test.run"] = run;
  auto first = create(spec);
  auto second = start_sleeper(spec);
  auto listed = docker_->list_containers({"berth.test=1", "berth.test.run=" + run});
  ASSERT_TRUE(listed) << describe(listed.error());
  ASSERT_EQ(listed->size(), 2u);
  std::vector<std::string> ids{(*listed)[0].id, (*listed)[1].id};
  EXPECT_NE(std::find(ids.begin(), ids.end(), first), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), second), ids.end());
  for (const auto& summary : *listed)
    EXPECT_EQ(summary.labels.at("berth.test.run"), run);
  auto none = docker_->list_containers({"berth.test.run=" + run + "-none"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace berth::docker::testing
