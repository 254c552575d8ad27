// Back-pressure on the read side against the real daemon (label `docker`): an exec that floods
// its output is not read while paused and is read again after resuming, through exec_stream and
// through keeper_link. The flood comes from the test image's busybox, so no keeper is needed.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <functional>

#include "docker/exec_stream.hpp"
#include "docker/keeper/messages.hpp"
#include "docker/keeper_link.hpp"
#include "tests/docker/daemon_fixture.hpp"

namespace berth::docker::testing {
namespace {

using clock_type = std::chrono::steady_clock;

/// Patience for anything a test waits for; generous for a loaded 2-core machine.
constexpr std::chrono::seconds patience{30};
/// How long the test thread runs the io_context between looks at the counters.
constexpr std::chrono::milliseconds slice{20};
/// Slices in a row without progress that count as "stopped": a flooding exec that is read
/// delivers several 64 KiB reads in every slice.
constexpr int quiet_slices = 10;
/// Output that proves a flood is being read: many reads' worth.
constexpr std::size_t flood_proof = 1 << 20;
/// The largest read exec_stream issues (`read_chunk` in exec_stream.cpp).
constexpr std::size_t read_chunk = 64 * 1024;

/// An io_context the test thread runs in slices; the guard keeps it from running out of work
/// while nothing is pending, as when a paused stream issues no read.
struct sliced_io {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};

  /// Runs slices until `condition` holds or `limit` passes; returns whether it held.
  bool run_until(const std::function<bool()>& condition,
                 std::chrono::milliseconds limit = patience) {
    const auto deadline = clock_type::now() + limit;
    while (!condition()) {
      if (clock_type::now() >= deadline) return false;
      io.run_for(slice);
    }
    return true;
  }

  /// Runs slices until `progress` has not changed for `quiet_slices` slices in a row; false if
  /// it kept changing for `limit`.
  bool run_until_quiet(const std::function<std::size_t()>& progress,
                       std::chrono::milliseconds limit = patience) {
    const auto deadline = clock_type::now() + limit;
    auto last = progress();
    int quiet = 0;
    while (quiet < quiet_slices) {
      if (clock_type::now() >= deadline) return false;
      io.run_for(slice);
      const auto now = progress();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
    return true;
  }
};

using exec_stream_pausing = daemon_test;
using keeper_link_pausing = daemon_test;

/// What a stream's handlers saw.
struct stream_record {
  std::size_t delivered = 0;  ///< Output bytes (exec_stream) or output data bytes (keeper_link).
  int closed_calls = 0;
};

exec_stream_handlers recording(stream_record& record, std::optional<error>& failure) {
  return {.on_output = [&record](stream_kind,
                                 std::string_view bytes) { record.delivered += bytes.size(); },
          .on_closed =
              [&record, &failure](std::optional<error> result) {
                failure = std::move(result);
                ++record.closed_calls;
              }};
}

/// For messages of assertions that may run before or after the end.
std::string ending(const std::optional<error>& failure) {
  return failure ? describe(*failure) : "no failure";
}

std::string ending(const std::optional<keeper_link_error>& failure) {
  return failure ? describe(*failure) : "no failure";
}

exec_spec command(std::vector<std::string> cmd) {
  exec_spec spec;
  spec.cmd = std::move(cmd);
  return spec;
}

/// `bytes` as a printf format of octal escapes, so a shell can print any byte, NUL included.
std::string printf_format(std::string_view bytes) {
  std::string format;
  for (unsigned char byte : bytes) {
    char escape[5];
    std::snprintf(escape, sizeof escape, "\\%03o", byte);
    format += escape;
  }
  return format;
}

TEST_F(exec_stream_pausing, stops_reading_a_flooding_exec_until_resumed) {
  auto container = start_sleeper(test_spec({}));
  auto exec_id = docker_->create_exec(container, command({"yes"}));
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  sliced_io driver;
  stream_record record;
  std::optional<error> failure;
  auto stream = exec_stream::open(driver.io, docker_->host(), docker_->version(), *exec_id, {},
                                  recording(record, failure));
  ASSERT_TRUE(driver.run_until([&] { return record.delivered >= flood_proof; }))
      << "yes did not flood the stream: " << record.delivered << " bytes";

  stream.pause_reading();
  stream.pause_reading();
  const auto at_pause = record.delivered;
  ASSERT_TRUE(driver.run_until_quiet([&] { return record.delivered; }))
      << "output kept arriving while paused";
  // The pause runs on the strand after at most one read completion queued ahead of it, which
  // issued one more read: only those two reads may still deliver.
  EXPECT_LE(record.delivered - at_pause, 2 * read_chunk);

  const auto at_rest = record.delivered;
  stream.resume_reading();
  stream.resume_reading();
  ASSERT_TRUE(driver.run_until([&] { return record.delivered >= at_rest + flood_proof; }))
      << "output did not resume: " << record.delivered - at_rest << " bytes";
  // A second read racing the first would scramble the multiplexed frames and fail the stream.
  EXPECT_EQ(record.closed_calls, 0) << ending(failure);

  stream.close();
  ASSERT_TRUE(driver.run_until([&] { return record.closed_calls > 0; }));
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, error_code::cancelled) << describe(*failure);
}

TEST_F(exec_stream_pausing, closes_exactly_once_when_closed_while_paused) {
  auto container = start_sleeper(test_spec({}));
  auto exec_id = docker_->create_exec(container, command({"yes"}));
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  sliced_io driver;
  stream_record record;
  std::optional<error> failure;
  auto stream = exec_stream::open(driver.io, docker_->host(), docker_->version(), *exec_id, {},
                                  recording(record, failure));
  ASSERT_TRUE(driver.run_until([&] { return record.delivered > 0; }));
  stream.pause_reading();
  ASSERT_TRUE(driver.run_until_quiet([&] { return record.delivered; }));

  stream.close();
  stream.resume_reading();  // too late: the stream has ended and must not read again
  ASSERT_TRUE(driver.run_until([&] { return record.closed_calls > 0; }));
  const auto at_close = record.delivered;
  ASSERT_TRUE(driver.run_until_quiet(
      [&] { return record.delivered + static_cast<std::size_t>(record.closed_calls); }));
  EXPECT_EQ(record.closed_calls, 1);
  EXPECT_EQ(record.delivered, at_close);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, error_code::cancelled) << describe(*failure);
}

TEST_F(exec_stream_pausing, notices_the_end_of_the_stream_only_after_resuming) {
  auto container = start_sleeper(test_spec({}));
  auto exec_id = docker_->create_exec(container, command({"echo", "done"}));
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  sliced_io driver;
  std::string output;
  std::optional<error> failure;
  std::size_t closed_calls = 0;
  auto stream = exec_stream::open(
      driver.io, docker_->host(), docker_->version(), *exec_id, {},
      {.on_output = [&](stream_kind, std::string_view bytes) { output.append(bytes); },
       .on_closed =
           [&](std::optional<error> result) {
             failure = std::move(result);
             ++closed_calls;
           }});
  // Paused before the upgrade: only bytes read together with the reply header get through.
  stream.pause_reading();
  ASSERT_TRUE(driver.run_until([&] {
    auto info = docker_->inspect_exec(*exec_id);
    return info && !info->running && info->exit_code == 0;
  })) << "echo did not run to its end";
  ASSERT_TRUE(driver.run_until_quiet([&] { return output.size(); }));
  // The daemon has closed its end, but no read is issued to see it.
  EXPECT_EQ(closed_calls, 0u) << ending(failure);

  stream.resume_reading();
  ASSERT_TRUE(driver.run_until([&] { return closed_calls > 0; }));
  EXPECT_FALSE(failure) << describe(*failure);
  EXPECT_EQ(output, "done\n");
  ASSERT_TRUE(driver.run_until_quiet([&] { return closed_calls; }));
  EXPECT_EQ(closed_calls, 1u);
}

TEST_F(keeper_link_pausing, stops_messages_of_a_flooding_stream_until_resumed) {
  // A stand-in keeper: the hello, then output frames of zeros for as long as it is read.
  constexpr std::size_t data_size = 32 * 1024;
  auto frame_head =
      keeper::encode_message(keeper::output_event{"s", 0, std::string(data_size, '\0')});
  frame_head.resize(frame_head.size() - data_size);
  const auto script = "printf '" + printf_format(keeper::encode_message(keeper::hello{})) +
                      "'; while :; do printf '" + printf_format(frame_head) + "'; head -c " +
                      std::to_string(data_size) + " /dev/zero; done";
  auto container = start_sleeper(test_spec({}));
  auto exec_id = docker_->create_exec(container, command({"sh", "-c", script}));
  ASSERT_TRUE(exec_id) << describe(exec_id.error());

  sliced_io driver;
  stream_record record;
  std::optional<keeper_link_error> failure;
  bool greeted = false;
  auto link =
      keeper_link::start(driver.io, docker_->host(), docker_->version(), *exec_id,
                         {.on_message =
                              [&](const keeper::message& message) {
                                if (std::holds_alternative<keeper::hello>(message)) greeted = true;
                                if (auto* output = std::get_if<keeper::output_event>(&message)) {
                                  record.delivered += output->data.size();
                                }
                              },
                          .on_closed =
                              [&](std::optional<keeper_link_error> result) {
                                failure = std::move(result);
                                ++record.closed_calls;
                              },
                          .on_diagnostic = {},
                          .should_pause = {}});
  ASSERT_TRUE(driver.run_until([&] { return record.delivered >= flood_proof; }))
      << "the stand-in keeper did not flood the link: " << record.delivered << " bytes"
      << "; " << ending(failure);
  EXPECT_TRUE(greeted);

  link.pause_reading();
  link.pause_reading();
  ASSERT_TRUE(driver.run_until_quiet([&] { return record.delivered; }))
      << "messages kept arriving while paused";

  const auto at_rest = record.delivered;
  link.resume_reading();
  link.resume_reading();
  ASSERT_TRUE(driver.run_until([&] { return record.delivered >= at_rest + flood_proof; }))
      << "messages did not resume: " << record.delivered - at_rest << " bytes";
  EXPECT_EQ(record.closed_calls, 0) << ending(failure);

  link.close();
  ASSERT_TRUE(driver.run_until([&] { return record.closed_calls > 0; }));
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::cancelled) << describe(*failure);
}

}  // namespace
}  // namespace berth::docker::testing
