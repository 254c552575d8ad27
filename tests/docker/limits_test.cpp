#include <gtest/gtest.h>

#include "tests/docker/daemon_fixture.hpp"

namespace berth::docker::testing {
namespace {

using limits = daemon_test;

constexpr std::int64_t pid_limit = 32;

container_spec limited_spec(container_spec spec) {
  spec.limits = {.memory_bytes = 64ll << 20, .nano_cpus = 500'000'000, .pids_limit = pid_limit};
  spec.no_new_privileges = true;
  spec.cap_drop = {"ALL"};
  spec.cap_add = {"CHOWN"};
  spec.user = "1000:1000";
  spec.working_dir = "/tmp";
  spec.env = {"BERTH_TEST=limits"};
  return spec;
}

TEST_F(limits, appear_in_inspect_and_inside_the_container) {
  auto id = start_sleeper(limited_spec(test_spec({})));
  auto info = docker_->inspect_container(id);
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->limits.memory_bytes, 64ll << 20);
  EXPECT_EQ(info->limits.nano_cpus, 500'000'000);
  EXPECT_EQ(info->limits.pids_limit, pid_limit);
  EXPECT_EQ(info->security_options, std::vector<std::string>{"no-new-privileges"});
  EXPECT_EQ(info->cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(info->cap_add, std::vector<std::string>{"CHOWN"});
  EXPECT_TRUE(info->init);
  EXPECT_EQ(info->labels.at("berth.test"), "1");
  EXPECT_TRUE(info->state.running);
  EXPECT_GT(info->state.pid, 0);

  // The kernel's view: no_new_privs set, the user and working directory applied.
  auto inside = run_exec(id, {"sh", "-c",
                              "grep NoNewPrivs /proc/self/status; id -u; pwd; "
                              "echo $BERTH_TEST"});
  ASSERT_TRUE(inside.closed && !inside.failure) << inside.std_err;
  EXPECT_EQ(inside.std_out, "NoNewPrivs:\t1\n1000\n/tmp\nlimits\n");
}

TEST_F(limits, pid_limit_stops_a_fork_bomb_and_the_container_survives) {
  auto id = start_sleeper(limited_spec(test_spec({})));
  auto before = docker_->inspect_container(id);
  ASSERT_TRUE(before);

  // Starts up to 1000 long-lived children; only the PID limit can make a fork fail early.
  auto bomb = run_exec(id,
                       {"sh", "-c",
                        "n=0; while [ $n -lt 1000 ]; do sleep 600 & n=$((n+1)); "
                        "echo $n > /tmp/forked; done"},
                       {}, std::chrono::seconds{60});
  ASSERT_TRUE(bomb.closed) << "the fork loop did not end";
  EXPECT_NE(bomb.std_err.find("can't fork"), std::string::npos) << bomb.std_err;
  EXPECT_NE(bomb.exit_code, 0);

  auto after = docker_->inspect_container(id);
  ASSERT_TRUE(after) << describe(after.error());
  EXPECT_EQ(after->state.status, "running");
  EXPECT_EQ(after->state.pid, before->state.pid);
  EXPECT_FALSE(after->state.oom_killed);

  std::string forked;
  ASSERT_TRUE(docker_->download_archive(id, "/tmp/forked", [&](std::string_view chunk) {
    forked.append(chunk);
    return true;
  }));
  ASSERT_GE(forked.size(), 512u);
  auto count = std::stoi(forked.substr(512));
  EXPECT_LT(count, pid_limit) << "the loop forked more processes than the limit allows";
  EXPECT_GT(count, pid_limit / 2);
}

}  // namespace
}  // namespace berth::docker::testing
