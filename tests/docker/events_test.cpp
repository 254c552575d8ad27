#include <gtest/gtest.h>

#include <ctime>
#include <future>
#include <thread>

#include "tests/docker/daemon_fixture.hpp"

namespace berth::docker::testing {
namespace {

using event_streams = daemon_test;

TEST_F(event_streams, report_the_die_of_a_killed_container_matching_a_label_filter) {
  auto run = unique_name("events");
  event_filter filter;
  filter.types = {"container"};
  filter.actions = {"die"};
  filter.labels = {"berth.test.run=" + run};
  // Replaying from a second ago makes the test independent of when the watcher connects.
  filter.since = std::to_string(std::time(nullptr) - 1);

  auto spec = test_spec({});
  spec.labels["berth.test.run"] = run;
  auto decoy_spec = test_spec({});
  decoy_spec.labels["berth.test.run"] = run + "-decoy";
  auto id = start_sleeper(spec);
  auto decoy = start_sleeper(decoy_spec);

  // One client per thread: the watcher gets its own.
  auto watcher = client::connect();
  ASSERT_TRUE(watcher) << describe(watcher.error());
  std::promise<event> died;
  std::vector<std::string> seen_actors;
  std::stop_source stop;
  tl::expected<void, error> watch_result;
  std::thread watch_thread{[&] {
    watch_result = watcher->watch_events(
        filter,
        [&](const event& received) {
          seen_actors.push_back(received.actor_id);
          if (received.actor_id == id) died.set_value(received);
          return true;
        },
        stop.get_token());
  }};

  ASSERT_TRUE(docker_->kill_container(decoy));
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(docker_->kill_container(id));
  auto arrival = died.get_future();
  auto status = arrival.wait_for(std::chrono::seconds{10});
  auto latency = std::chrono::steady_clock::now() - killed_at;

  auto stop_requested_at = std::chrono::steady_clock::now();
  stop.request_stop();
  watch_thread.join();
  auto stop_latency = std::chrono::steady_clock::now() - stop_requested_at;

  ASSERT_EQ(status, std::future_status::ready) << "no die event within 10 s";
  auto received = arrival.get();
  EXPECT_EQ(received.type, "container");
  EXPECT_EQ(received.action, "die");
  EXPECT_EQ(received.attributes.at("exitCode"), "137");
  EXPECT_EQ(received.attributes.at("berth.test.run"), run);
  EXPECT_GT(received.time_nano, 0);
  EXPECT_LT(latency, std::chrono::seconds{5});
  EXPECT_TRUE(watch_result) << describe(watch_result.error());
  EXPECT_LT(stop_latency, std::chrono::milliseconds{500}) << "stop must interrupt the stream";
  // The label filter is applied by the daemon: the decoy's death never arrives.
  EXPECT_EQ(std::count(seen_actors.begin(), seen_actors.end(), decoy), 0);
}

TEST_F(event_streams, end_with_success_when_the_until_time_passes) {
  event_filter filter;
  filter.labels = {"berth.test.run=" + unique_name("quiet")};
  auto now = std::time(nullptr);
  filter.since = std::to_string(now - 2);
  filter.until = std::to_string(now - 1);
  int received = 0;
  auto result = docker_->watch_events(filter, [&](const event&) { return ++received, true; }, {});
  EXPECT_TRUE(result) << describe(result.error());
  EXPECT_EQ(received, 0);
}

}  // namespace
}  // namespace berth::docker::testing
