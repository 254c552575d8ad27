// The real keeper binary running sessions: output, input, environment, working directory,
// resize, exit status, list and close.

#include <signal.h>

#include <gtest/gtest.h>

#include <string>

#include "tests/keeper/keeper_client.hpp"
#include "tests/keeper/keeper_process.hpp"

namespace berth::keeper::testing {
namespace {

bool contains(const session_stream& s, std::string_view text) {
  return s.bytes.find(text) != std::string::npos;
}

TEST(keeper_session, runs_a_command_and_returns_its_output_and_exit_status) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  const message reply = open_session(client, command("s1", {"/bin/sh", "-c", "echo hello"}));
  ASSERT_TRUE(std::holds_alternative<opened_reply>(reply));
  EXPECT_GT(std::get<opened_reply>(reply).pid, 0u);
  session_stream stream = attach(client, "s1", 0);
  ASSERT_TRUE(read_to_exit(client, stream));
  EXPECT_EQ(stream.bytes, "hello\r\n");
  EXPECT_EQ(*stream.exit, (exit_status{false, 0}));
  EXPECT_FALSE(stream.discontinuous);
}

TEST(keeper_session, gives_a_login_shell_the_environment_and_working_directory_asked_for) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_request request;
  request.session = "login";
  request.cwd = keeper.directory();
  request.env = {"BERTH_TEST_VALUE=v-42"};
  ASSERT_TRUE(std::holds_alternative<opened_reply>(open_session(client, request)));
  session_stream stream = attach(client, "login", 0);
  client.send(input_request{"login", "echo \"[$BERTH_TEST_VALUE]\"; echo \"<$(pwd)>\"\n"});
  ASSERT_TRUE(read_until(
      client, stream, [&](const auto& s) { return contains(s, "<" + keeper.directory() + ">"); },
      in(patience)));
  EXPECT_TRUE(contains(stream, "[v-42]"));
  client.send(input_request{"login", "exit 3\n"});
  ASSERT_TRUE(read_to_exit(client, stream));
  EXPECT_EQ(*stream.exit, (exit_status{false, 3}));
}

TEST(keeper_session, falls_back_to_home_when_the_working_directory_is_missing) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_request request = command("cwd", {"/bin/sh", "-c", "pwd"});
  request.cwd = keeper.directory() + "/missing";
  request.env = {"HOME=" + keeper.directory()};
  ASSERT_TRUE(std::holds_alternative<opened_reply>(open_session(client, request)));
  session_stream stream = attach(client, "cwd", 0);
  ASSERT_TRUE(read_to_exit(client, stream));
  EXPECT_EQ(stream.bytes, keeper.directory() + "\r\n");
}

TEST(keeper_session, gives_the_process_only_the_terminal_as_open_files) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_session(client, command("fds", {"ls", "-1", "/proc/self/fd"}));
  session_stream stream = attach(client, "fds", 0);
  ASSERT_TRUE(read_to_exit(client, stream));
  // 3 is the directory ls opens to list itself.
  EXPECT_EQ(stream.bytes, "0\r\n1\r\n2\r\n3\r\n");
}

TEST(keeper_session, passes_a_resize_to_the_shell) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_request request = command("tty", {"/bin/sh"});
  request.cols = 100;
  request.rows = 30;
  ASSERT_TRUE(std::holds_alternative<opened_reply>(open_session(client, request)));
  session_stream stream = attach(client, "tty", 0);
  client.send(input_request{"tty", "stty size\n"});
  ASSERT_TRUE(read_until(
      client, stream, [](const auto& s) { return contains(s, "30 100\r\n"); }, in(patience)));
  client.send(resize_request{"tty", 120, 40});
  client.send(input_request{"tty", "stty size\n"});
  ASSERT_TRUE(read_until(
      client, stream, [](const auto& s) { return contains(s, "40 120\r\n"); }, in(patience)));
}

TEST(keeper_session, reports_a_process_killed_by_a_signal) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  ASSERT_TRUE(std::holds_alternative<opened_reply>(
      open_session(client, command("sig", {"/bin/sh", "-c", "kill -KILL $$"}))));
  session_stream stream = attach(client, "sig", 0);
  ASSERT_TRUE(read_to_exit(client, stream));
  EXPECT_EQ(*stream.exit, (exit_status{true, 9}));
}

TEST(keeper_session, reports_the_exit_even_while_a_background_process_holds_the_terminal) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  // The background sleep inherits the ignored hang-up and keeps the terminal open after the
  // shell ends, so the terminal never reports end-of-file.
  open_session(client, command("holder", {"/bin/sh", "-c",
                                          "trap '' HUP; sleep 1000 & echo \"bg $!\"; exit 4"}));
  session_stream stream = attach(client, "holder", 0);
  const bool exited = read_to_exit(client, stream);
  const auto at = stream.bytes.find("bg ");
  ASSERT_NE(at, std::string::npos);
  const pid_t holder = std::stoi(stream.bytes.substr(at + 3));
  EXPECT_EQ(::kill(holder, 0), 0) << "the holder ended early; the test proves nothing";
  ::kill(holder, SIGKILL);
  ASSERT_TRUE(exited);
  EXPECT_EQ(*stream.exit, (exit_status{false, 4}));
}

TEST(keeper_session, keeps_an_exited_session_readable_until_closed) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_session(client, command("done", {"/bin/sh", "-c", "echo kept; exit 5"}));
  session_stream first = attach(client, "done", 0);
  ASSERT_TRUE(read_to_exit(client, first));

  auto later = keeper_client::connect(keeper.socket_path());
  session_stream again = attach(later, "done", 0);
  ASSERT_TRUE(read_to_exit(later, again));
  EXPECT_EQ(again.bytes, "kept\r\n");
  EXPECT_EQ(*again.exit, (exit_status{false, 5}));

  later.send(list_request{});
  auto list = later.next_of<session_list_reply>(in(patience));
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->sessions.size(), 1u);
  const session_info& row = list->sessions[0];
  EXPECT_EQ(row.session, "done");
  EXPECT_EQ(row.state, session_state::exited);
  EXPECT_EQ(row.status, (exit_status{false, 5}));
  EXPECT_EQ(row.oldest, 0u);
  EXPECT_EQ(row.end, 6u);
  EXPECT_EQ(row.cols, 80);

  later.send(close_request{"done"});
  ASSERT_TRUE(later.next_of<closed_reply>(in(patience)).has_value());
  later.send(list_request{});
  EXPECT_TRUE(later.next_of<session_list_reply>(in(patience))->sessions.empty());
}

TEST(keeper_session, close_hangs_up_a_running_session_and_tells_its_attachers) {
  keeper_server keeper;
  auto closer = keeper_client::connect(keeper.socket_path());
  auto watcher = keeper_client::connect(keeper.socket_path());
  open_session(closer, command("long", {"/bin/sh", "-c", "echo up; exec sleep 1000"}));
  session_stream stream = attach(watcher, "long", 0);
  ASSERT_TRUE(read_until(
      watcher, stream, [](const auto& s) { return contains(s, "up\r\n"); }, in(patience)));
  closer.send(close_request{"long"});
  EXPECT_TRUE(closer.next_of<closed_reply>(in(patience)).has_value());
  EXPECT_TRUE(watcher.next_of<closed_reply>(in(patience)).has_value());
}

TEST(keeper_session, close_kills_a_process_that_ignores_hangup_after_the_timeout) {
  keeper_server keeper({"--kill-after-ms", "100"});
  auto client = keeper_client::connect(keeper.socket_path());
  open_session(client,
               command("stubborn", {"/bin/sh", "-c", "trap '' HUP; echo ready; sleep 1000"}));
  session_stream stream = attach(client, "stubborn", 0);
  ASSERT_TRUE(read_until(
      client, stream, [](const auto& s) { return contains(s, "ready\r\n"); }, in(patience)));
  client.send(close_request{"stubborn"});
  EXPECT_TRUE(client.next_of<closed_reply>(in(patience)).has_value());
}

TEST(keeper_session, refuses_a_duplicate_id_an_invalid_id_and_a_missing_program) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_session(client, command("dup", {"/bin/sh", "-c", "sleep 1000"}));
  auto code_of = [](const message& m) {
    return std::holds_alternative<error_reply>(m) ? std::get<error_reply>(m).code
                                                  : error_code::io_error;
  };
  EXPECT_EQ(code_of(open_session(client, command("dup", {"/bin/true"}))),
            error_code::session_exists);
  EXPECT_EQ(code_of(open_session(client, command("bad/id", {"/bin/true"}))),
            error_code::invalid_argument);
  EXPECT_EQ(code_of(open_session(client, command("nope", {"/no/such/program"}))),
            error_code::spawn_failed);
  open_request bad_env = command("env", {"/bin/true"});
  bad_env.env = {"NO_EQUALS_SIGN"};
  EXPECT_EQ(code_of(open_session(client, bad_env)), error_code::invalid_argument);
}

}  // namespace
}  // namespace berth::keeper::testing
