// The keeper process itself: stopping like `docker stop` does, a stale socket left by a keeper
// that was killed, and a second keeper on a socket already served.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <thread>

#include "tests/keeper/keeper_client.hpp"
#include "tests/keeper/keeper_process.hpp"

namespace berth::keeper::testing {
namespace {

bool exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

TEST(keeper_lifecycle, stops_on_sigterm_hanging_up_sessions_and_removing_its_socket) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_request request;
  request.session = "shell";
  request.argv = {"/bin/sh"};
  const message reply = open_session(client, request);
  ASSERT_TRUE(std::holds_alternative<opened_reply>(reply));
  const auto shell = static_cast<pid_t>(std::get<opened_reply>(reply).pid);

  const std::optional<int> status = keeper.stop(SIGTERM);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_FALSE(exists(keeper.socket_path()));
  // The orphaned shell dies of the hang-up and is reaped by init: poll until its pid is gone.
  const deadline until = in(patience);
  while (::kill(shell, 0) == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_NE(::kill(shell, 0), 0) << "the session's shell outlived the keeper";
}

TEST(keeper_lifecycle, replaces_the_stale_socket_of_a_keeper_that_was_killed) {
  keeper_server first;
  ASSERT_TRUE(first.stop(SIGKILL).has_value());
  ASSERT_TRUE(exists(first.socket_path()));
  child_process second =
      child_process::start({keeper_binary(), "serve", "--socket", first.socket_path()});
  // Polls for the new keeper: connecting succeeds once it listens on the replaced socket.
  const deadline until = in(patience);
  std::optional<keeper_client> client;
  while (!client && std::chrono::steady_clock::now() < until) {
    try {
      client.emplace(keeper_client::connect(first.socket_path()));
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_TRUE(client.has_value());
  client->send(list_request{});
  EXPECT_TRUE(client->next_of<session_list_reply>(in(patience)).has_value());
}

TEST(keeper_lifecycle, refuses_to_serve_a_socket_another_keeper_serves) {
  keeper_server keeper;
  child_process second =
      child_process::start({keeper_binary(), "serve", "--socket", keeper.socket_path()});
  const std::optional<int> status = second.wait(in(patience));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_TRUE(keeper_answers(keeper.socket_path()));
}

}  // namespace
}  // namespace berth::keeper::testing
