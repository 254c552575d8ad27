// Output streaming guarantees: several attachers, resume after an attacher is killed,
// back-pressure with a small journal, gaps, and the `keeper attach` bridge.

#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "tests/keeper/keeper_client.hpp"
#include "tests/keeper/keeper_process.hpp"

namespace berth::keeper::testing {
namespace {

/// Waits for a line of input before printing, so attachers can be in place first.
std::vector<std::string> seq_after_input(int count) {
  return {"/bin/sh", "-c", "read go; seq 1 " + std::to_string(count)};
}

child_process start_bridge(const keeper_server& keeper) {
  return child_process::start({keeper_binary(), "attach", "--socket", keeper.socket_path()});
}

TEST(keeper_stream, gives_two_attachers_the_same_bytes) {
  keeper_server keeper;
  auto first = keeper_client::connect(keeper.socket_path());
  auto second = keeper_client::connect(keeper.socket_path());
  ASSERT_TRUE(std::holds_alternative<opened_reply>(
      open_session(first, command("shared", seq_after_input(3000)))));
  session_stream a = attach(first, "shared", 0);
  session_stream b = attach(second, "shared", 0);
  second.send(input_request{"shared", "go\n"});
  ASSERT_TRUE(read_to_exit(first, a));
  ASSERT_TRUE(read_to_exit(second, b));
  EXPECT_EQ(a.bytes, "go\r\n" + seq_on_terminal(3000));
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_FALSE(a.discontinuous || b.discontinuous);
}

TEST(keeper_stream, resumes_byte_exact_after_the_attach_process_is_killed_mid_stream) {
  keeper_server keeper;
  auto control = keeper_client::connect(keeper.socket_path());
  ASSERT_TRUE(std::holds_alternative<opened_reply>(
      open_session(control, command("resume", seq_after_input(100000)))));

  child_process bridge = start_bridge(keeper);
  session_stream received;
  {
    keeper_client through(bridge.stdout_pipe().get(), bridge.stdin_pipe().get());
    received = attach(through, "resume", 0);
    through.send(input_request{"resume", "go\n"});
    ASSERT_TRUE(read_until(
        through, received, [](const auto& s) { return s.bytes.size() > 20000; }, in(patience)));
    bridge.signal(SIGKILL);
    ASSERT_TRUE(bridge.wait(in(patience)).has_value());
  }
  ASSERT_LT(received.bytes.size(), seq_on_terminal(100000).size() + 4) << "killed too late";

  child_process again = start_bridge(keeper);
  keeper_client through(again.stdout_pipe().get(), again.stdin_pipe().get());
  session_stream rest = attach(through, "resume", received.next_offset());
  ASSERT_FALSE(rest.gap.has_value());
  ASSERT_TRUE(read_to_exit(through, rest))
      << "resumed at " << rest.start << ", got " << rest.bytes.size() << " more bytes"
      << (through.ended() ? ", stream ended" : "");
  EXPECT_EQ(received.bytes + rest.bytes, "go\r\n" + seq_on_terminal(100000));
  EXPECT_FALSE(received.discontinuous || rest.discontinuous);
  EXPECT_EQ(*rest.exit, (exit_status{false, 0}));
}

TEST(keeper_stream, holds_output_in_a_full_journal_until_acked_and_loses_nothing) {
  keeper_server keeper({"--journal-bytes", "64K"});
  auto client = keeper_client::connect(keeper.socket_path());
  ASSERT_TRUE(std::holds_alternative<opened_reply>(
      open_session(client, command("flood", {"seq", "1", "200000"}))));

  // Nobody attached and nothing acked: the journal fills to exactly its capacity and stops.
  std::optional<session_info> row;
  const deadline until = in(patience);
  while (std::chrono::steady_clock::now() < until) {
    client.send(list_request{});
    auto list = client.next_of<session_list_reply>(until);
    ASSERT_TRUE(list && list->sessions.size() == 1);
    row = list->sessions[0];
    if (row->end == 64 * 1024) break;
  }
  ASSERT_EQ(row->end, 64u * 1024);
  EXPECT_EQ(row->oldest, 0u);
  EXPECT_EQ(row->state, session_state::running);

  session_stream stream = attach(client, "flood", 0);
  ASSERT_FALSE(stream.gap.has_value());
  ASSERT_TRUE(read_to_exit(client, stream, /*ack=*/true));
  EXPECT_EQ(stream.bytes, seq_on_terminal(200000));
  EXPECT_FALSE(stream.discontinuous);
  EXPECT_EQ(*stream.exit, (exit_status{false, 0}));
}

TEST(keeper_stream, reports_a_gap_when_asked_for_bytes_already_acked_and_dropped) {
  keeper_server keeper({"--journal-bytes", "16K"});
  auto reader = keeper_client::connect(keeper.socket_path());
  open_session(reader, command("gap", {"seq", "1", "20000"}));
  session_stream all = attach(reader, "gap", 0);
  ASSERT_TRUE(read_to_exit(reader, all, /*ack=*/true));
  const std::string expected = seq_on_terminal(20000);
  ASSERT_EQ(all.bytes, expected);

  auto late = keeper_client::connect(keeper.socket_path());
  session_stream tail = attach(late, "gap", 0);
  ASSERT_TRUE(tail.gap.has_value());
  EXPECT_EQ(tail.gap->requested, 0u);
  EXPECT_EQ(tail.gap->oldest, expected.size() - 16 * 1024);
  ASSERT_TRUE(read_to_exit(late, tail));
  EXPECT_EQ(tail.bytes, expected.substr(expected.size() - 16 * 1024));
}

TEST(keeper_stream, refuses_an_attach_or_ack_past_the_end) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_session(client, command("short", {"/bin/sh", "-c", "printf abc"}));
  session_stream stream = attach(client, "short", 0);
  ASSERT_TRUE(read_to_exit(client, stream));
  session_stream future = attach(client, "short", 4);
  ASSERT_TRUE(future.error.has_value());
  EXPECT_EQ(future.error->code, error_code::offset_out_of_range);
  client.send(ack_request{"short", 4});
  auto error = client.next_of<error_reply>(in(patience));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, error_code::offset_out_of_range);
}

TEST(keeper_stream, bridge_starts_with_the_hello_and_exits_when_stdin_ends) {
  keeper_server keeper;
  child_process bridge = start_bridge(keeper);
  keeper_client through(bridge.stdout_pipe().get(), bridge.stdin_pipe().get());
  through.send(list_request{});
  ASSERT_TRUE(through.next_of<session_list_reply>(in(patience)).has_value());
  bridge.stdin_pipe().reset();
  const std::optional<int> status = bridge.wait(in(patience));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_TRUE(keeper.alive());
}

TEST(keeper_stream, bridge_passes_an_error_on_and_exits_when_the_keeper_closes) {
  keeper_server keeper;
  child_process bridge = start_bridge(keeper);
  keeper_client through(bridge.stdout_pipe().get(), bridge.stdin_pipe().get());
  through.send_raw(std::string("\x00\x00\x00\x00\x7e", 5));
  auto error = through.next_of<error_reply>(in(patience));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, error_code::unknown_frame_type);
  const std::optional<int> status = bridge.wait(in(patience));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

}  // namespace
}  // namespace berth::keeper::testing
