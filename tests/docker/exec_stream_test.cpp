#include "docker/exec_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "tests/docker/daemon_fixture.hpp"

namespace berth::docker::testing {
namespace {

using exec_streams = daemon_test;

exec_spec command(std::vector<std::string> cmd) {
  exec_spec spec;
  spec.cmd = std::move(cmd);
  return spec;
}

TEST_F(exec_streams, cat_echoes_bytes_as_they_are_written_and_ends_on_shutdown_send) {
  auto container = start_sleeper(test_spec({}));
  auto exec_id = docker_->create_exec(container, command({"cat"}));
  ASSERT_TRUE(exec_id) << describe(exec_id.error());

  boost::asio::io_context io;
  std::string echoed;
  std::optional<error> failure;
  bool closed = false;
  bool sent_second = false;
  exec_stream* self = nullptr;
  auto stream = exec_stream::open(io, docker_->host(), docker_->version(), *exec_id, {},
                                  {.on_output =
                                       [&](stream_kind kind, std::string_view bytes) {
                                         EXPECT_EQ(kind, stream_kind::std_out);
                                         echoed.append(bytes);
                                         // Interactive: the second line goes out only after the
                                         // first came back.
                                         if (!sent_second && echoed == "ping\n") {
                                           sent_second = true;
                                           self->write("pong\n");
                                           self->shutdown_send();
                                         }
                                       },
                                   .on_closed =
                                       [&](std::optional<error> result) {
                                         failure = std::move(result);
                                         closed = true;
                                         io.stop();
                                       }});
  self = &stream;
  stream.write("ping\n");
  io.run_for(std::chrono::seconds{20});

  ASSERT_TRUE(closed) << "the stream did not end after shutdown_send";
  EXPECT_FALSE(failure) << describe(*failure);
  EXPECT_EQ(echoed, "ping\npong\n");
  EXPECT_EQ(stream.queued_bytes(), 0u);
  std::optional<exec_info> info;
  ASSERT_TRUE(eventually(
      [&] {
        auto inspected = docker_->inspect_exec(*exec_id);
        if (inspected && !inspected->running) info = *inspected;
        return info.has_value();
      },
      std::chrono::seconds{10}));
  EXPECT_EQ(info->exit_code, 0);
  EXPECT_EQ(info->container_id, container);
}

TEST_F(exec_streams, separate_stdout_from_stderr_and_report_the_exit_code) {
  auto container = start_sleeper(test_spec({}));
  auto outcome = run_exec(container, {"sh", "-c", "echo out; echo err >&2; echo out2; exit 3"});
  ASSERT_TRUE(outcome.closed);
  EXPECT_FALSE(outcome.failure) << describe(*outcome.failure);
  EXPECT_EQ(outcome.std_out, "out\nout2\n");
  EXPECT_EQ(outcome.std_err, "err\n");
  EXPECT_EQ(outcome.exit_code, 3);
}

TEST_F(exec_streams, run_with_the_requested_environment_user_and_working_directory) {
  auto container = start_sleeper(test_spec({}));
  auto spec = command({"sh", "-c", "echo $GREETING; id -u; id -g; pwd"});
  spec.env = {"GREETING=hello from exec"};
  spec.user = "1234:4321";
  spec.working_dir = "/bin";
  auto outcome = run_exec(container, spec);
  ASSERT_TRUE(outcome.closed);
  EXPECT_FALSE(outcome.failure) << describe(*outcome.failure);
  EXPECT_EQ(outcome.std_out, "hello from exec\n1234\n4321\n/bin\n");
  EXPECT_EQ(outcome.exit_code, 0);
}

TEST_F(exec_streams, carry_a_megabyte_through_cat_in_both_directions_at_once) {
  auto container = start_sleeper(test_spec({}));
  std::string input;
  for (int line = 0; input.size() < (1u << 20); ++line)
    input += std::to_string(line) + "\n";
  auto outcome = run_exec(container, {"cat"}, input);
  ASSERT_TRUE(outcome.closed);
  EXPECT_FALSE(outcome.failure) << describe(*outcome.failure);
  EXPECT_EQ(outcome.std_out.size(), input.size());
  EXPECT_TRUE(outcome.std_out == input);
  EXPECT_EQ(outcome.exit_code, 0);
}

TEST_F(exec_streams, report_an_unknown_exec_as_not_found) {
  boost::asio::io_context io;
  std::optional<error> failure;
  bool closed = false;
  auto stream = exec_stream::open(io, docker_->host(), docker_->version(), "no-such-exec", {},
                                  {.on_output = {}, .on_closed = [&](std::optional<error> result) {
                                     failure = std::move(result);
                                     closed = true;
                                   }});
  io.run_for(std::chrono::seconds{10});
  ASSERT_TRUE(closed);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, error_code::not_found) << describe(*failure);
  EXPECT_EQ(failure->http_status, 404);
}

TEST_F(exec_streams, report_closing_by_the_caller_as_cancelled) {
  auto container = start_sleeper(test_spec({}));
  auto exec_id = docker_->create_exec(container, command({"cat"}));
  ASSERT_TRUE(exec_id);
  boost::asio::io_context io;
  std::optional<error> failure;
  int closed_calls = 0;
  auto stream = exec_stream::open(io, docker_->host(), docker_->version(), *exec_id, {},
                                  {.on_output = {}, .on_closed = [&](std::optional<error> result) {
                                     failure = std::move(result);
                                     ++closed_calls;
                                   }});
  stream.close();
  stream.close();
  io.run_for(std::chrono::seconds{10});
  EXPECT_EQ(closed_calls, 1);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, error_code::cancelled);
}

TEST_F(exec_streams, pass_tty_output_through_raw_and_accept_a_resize) {
  auto container = start_sleeper(test_spec({}));
  auto spec = command({"cat"});
  spec.tty = true;
  auto exec_id = docker_->create_exec(container, spec);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());

  boost::asio::io_context io;
  std::string output;
  std::optional<error> failure;
  bool closed = false;
  exec_stream_options options;
  options.tty = true;
  auto stream = exec_stream::open(io, docker_->host(), docker_->version(), *exec_id, options,
                                  {.on_output =
                                       [&](stream_kind kind, std::string_view bytes) {
                                         EXPECT_EQ(kind, stream_kind::std_out);
                                         output.append(bytes);
                                         // The terminal echoes the line, then cat prints it.
                                         if (output == "hi\r\nhi\r\n") io.stop();
                                       },
                                   .on_closed =
                                       [&](std::optional<error> result) {
                                         failure = std::move(result);
                                         closed = true;
                                         io.stop();
                                       }});
  stream.write("hi\n");
  io.run_for(std::chrono::seconds{20});
  ASSERT_EQ(output, "hi\r\nhi\r\n");
  ASSERT_FALSE(closed);

  auto resized = docker_->resize_exec(*exec_id, 40, 120);
  EXPECT_TRUE(resized) << describe(resized.error());

  // A TTY turns Ctrl-D at the start of a line into end-of-file for cat.
  stream.write("\x04");
  io.restart();
  io.run_for(std::chrono::seconds{20});
  ASSERT_TRUE(closed);
  EXPECT_FALSE(failure) << describe(*failure);
}

TEST_F(exec_streams, resize_of_an_unknown_exec_is_not_found) {
  auto resized = docker_->resize_exec("no-such-exec", 24, 80);
  ASSERT_FALSE(resized);
  EXPECT_EQ(resized.error().code, error_code::not_found);
}

TEST_F(exec_streams, cannot_be_created_in_a_paused_container) {
  auto container = start_sleeper(test_spec({}));
  ASSERT_TRUE(docker_->pause_container(container));
  auto exec_id = docker_->create_exec(container, command({"true"}));
  ASSERT_FALSE(exec_id);
  EXPECT_EQ(exec_id.error().code, error_code::conflict);
  EXPECT_NE(exec_id.error().message.find("paused"), std::string::npos);
}

}  // namespace
}  // namespace berth::docker::testing
