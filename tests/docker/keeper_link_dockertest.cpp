// Keeper sessions driven through keeper_link against the real daemon: output, resume through a
// new exec, resize, exit status, and every way a link can fail to find a keeper.

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "tests/docker/keeper_fixture.hpp"
#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

TEST_F(keeper_links, run_echo_hello_in_a_shell_session_and_read_it_back) {
  const auto container = start_workspace();
  link_probe probe{*docker_, container};
  ASSERT_NO_FATAL_FAILURE(open_session(probe, {"hello", 80, 24, "", {}, {}}));
  auto stream = attach(probe, "hello", 0);
  probe.send(keeper::input_request{"hello", "echo hello\r"});
  // The terminal echoes the command line; the command's own output follows it (after bash's
  // bracketed-paste escapes, so only the order is certain).
  EXPECT_TRUE(read_until(
      probe, stream,
      [](const session_stream& s) {
        const std::string_view command_line = "echo hello\r\n";
        const auto echoed = s.bytes.find(command_line);
        return echoed != std::string::npos &&
               s.bytes.find("hello\r\n", echoed + command_line.size()) != std::string::npos;
      },
      true))
      << "output so far: " << stream.bytes;
  EXPECT_FALSE(stream.discontinuous);
  probe.send(keeper::close_request{"hello"});
  EXPECT_TRUE(probe.next_of<keeper::closed_reply>(in(patience)));
}

TEST_F(keeper_links, resume_byte_exact_through_a_new_exec_after_the_bridge_is_killed) {
  const auto container = start_workspace({"--journal-bytes", "64K"});
  constexpr int count = 100000;
  const auto expected = seq_on_terminal(count);
  session_stream stream;
  {
    link_probe first{*docker_, container};
    ASSERT_NO_FATAL_FAILURE(
        open_session(first, {"seq", 80, 24, "", {}, {"seq", "1", std::to_string(count)}}));
    stream = attach(first, "seq", 0);
    // The journal holds 64 KiB and only acked bytes leave it, so seq is still printing when
    // this much has arrived.
    ASSERT_TRUE(read_until(
        first, stream, [](const session_stream& s) { return s.bytes.size() >= 3 * small_journal; },
        true));
    auto exec = docker_->inspect_exec(first.link().exec_id());
    ASSERT_TRUE(exec) << describe(exec.error());
    ASSERT_TRUE(exec->running);
    ASSERT_GT(exec->pid, 0);
    std::ifstream command_line{"/proc/" + std::to_string(exec->pid) + "/cmdline"};
    std::string argv0;
    std::getline(command_line, argv0, '\0');
    ASSERT_EQ(argv0, "/opt/berth/keeper") << "the daemon's pid namespace must be this host's";
    ASSERT_EQ(::kill(exec->pid, SIGKILL), 0);
    ASSERT_TRUE(first.wait_closed(in(patience)));
    // Whatever arrived before the end still counts; read_until stops at the end of the queue.
    read_until(
        first, stream, [](const session_stream&) { return false; }, true, in({}));
    EXPECT_FALSE(stream.exit) << "seq ended before the bridge was killed";
  }
  link_probe second{*docker_, container};
  ASSERT_NE(second.link().exec_id(), "");
  const auto resumed_from = stream.next_offset();
  auto rest = attach(second, "seq", resumed_from);
  // Acks sent on the dead link may never have arrived; with a full journal the keeper would
  // wait for them forever, so a resuming client repeats its ack first.
  second.send(keeper::ack_request{"seq", resumed_from});
  ASSERT_TRUE(read_until(
      second, rest, [](const session_stream& s) { return s.exit.has_value(); }, true))
      << "resumed from " << resumed_from << ", received " << rest.bytes.size()
      << " more bytes; link " << (second.failure() ? describe(*second.failure()) : "open");
  EXPECT_FALSE(stream.discontinuous);
  EXPECT_FALSE(rest.discontinuous);
  const auto whole = stream.bytes + rest.bytes;
  EXPECT_EQ(whole.size(), expected.size());
  EXPECT_TRUE(whole == expected) << "resumed from " << resumed_from;
  EXPECT_EQ(rest.exit->end, expected.size());
  EXPECT_EQ(rest.exit->status, (keeper::exit_status{false, 0}));
}

TEST_F(keeper_links, deliver_output_made_while_nobody_was_attached_once_reattached_and_acked) {
  const auto container = start_workspace({"--journal-bytes", "64K"});
  constexpr int count = 200000;
  const auto expected = seq_on_terminal(count);
  {
    link_probe opener{*docker_, container};
    ASSERT_NO_FATAL_FAILURE(
        open_session(opener, {"quiet", 80, 24, "", {}, {"seq", "1", std::to_string(count)}}));
  }
  link_probe reader{*docker_, container};
  // Back-pressure: with nothing acked the keeper stops reading once the journal is full, and
  // seq waits (its output is over a megabyte) instead of losing bytes.
  ASSERT_TRUE(journal_full(reader, "quiet", small_journal));
  auto stream = attach(reader, "quiet", 0);
  ASSERT_TRUE(read_until(
      reader, stream, [](const session_stream& s) { return s.exit.has_value(); }, true));
  EXPECT_FALSE(stream.discontinuous);
  EXPECT_EQ(stream.bytes.size(), expected.size());
  EXPECT_TRUE(stream.bytes == expected);
  EXPECT_EQ(stream.exit->status, (keeper::exit_status{false, 0}));
}

TEST_F(keeper_links, carry_a_resize_to_the_shell) {
  const auto container = start_workspace();
  link_probe probe{*docker_, container};
  ASSERT_NO_FATAL_FAILURE(open_session(probe, {"sized", 80, 24, "", {}, {}}));
  auto stream = attach(probe, "sized", 0);
  probe.send(keeper::resize_request{"sized", 132, 43});
  probe.send(keeper::input_request{"sized", "stty size\r"});
  EXPECT_TRUE(read_until(
      probe, stream,
      [](const session_stream& s) { return s.bytes.find("43 132\r\n") != std::string::npos; },
      true))
      << "output so far: " << stream.bytes;
}

TEST_F(keeper_links, report_the_exit_status_of_the_shell) {
  const auto container = start_workspace();
  link_probe probe{*docker_, container};
  ASSERT_NO_FATAL_FAILURE(open_session(probe, {"leaving", 80, 24, "", {}, {}}));
  auto stream = attach(probe, "leaving", 0);
  probe.send(keeper::input_request{"leaving", "exit 7\r"});
  ASSERT_TRUE(read_until(
      probe, stream, [](const session_stream& s) { return s.exit.has_value(); }, true));
  EXPECT_EQ(stream.exit->status, (keeper::exit_status{false, 7}));
  EXPECT_EQ(stream.exit->end, stream.next_offset());
}

TEST_F(keeper_links, report_docker_text_for_a_second_start_of_an_exec_as_a_typed_error) {
  const auto container = start_workspace();
  exec_spec bridge;
  bridge.cmd = {"/opt/berth/keeper", "attach"};
  auto exec_id = docker_->create_exec(container, bridge);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  link_probe first{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(first.next_of<keeper::hello>(in(patience)));

  link_probe second{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(second.wait_closed(in(patience)));
  EXPECT_FALSE(second.next(in({}))) << "Docker's text must not surface as a message";
  auto failure = second.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::exec_already_used) << describe(*failure);
  EXPECT_NE(failure->message.find("already running"), std::string::npos) << failure->message;

  // The first stream is unaffected.
  first.send(keeper::list_request{});
  EXPECT_TRUE(first.next_of<keeper::session_list_reply>(in(patience)));
}

TEST_F(keeper_links, refuse_a_hello_of_another_protocol_version) {
  const auto container = start_workspace();
  exec_spec fake;
  // A hello frame announcing version 2, then whatever the link sends is echoed back.
  fake.cmd = {"bash", "-c",
              R"(printf '\x00\x00\x00\x0e\x01BERTHKPR\x00\x02\x00\x10\x00\x00'; exec cat)"};
  auto exec_id = docker_->create_exec(container, fake);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  link_probe probe{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  EXPECT_FALSE(probe.next(in({})));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::incompatible_version) << describe(*failure);
}

TEST_F(keeper_links, refuse_a_stream_of_text_without_a_hello) {
  const auto container = start_workspace();
  exec_spec chatter;
  chatter.cmd = {"bash", "-c", "yes 'not a keeper' | head -c 10000; exec cat"};
  auto exec_id = docker_->create_exec(container, chatter);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  link_probe probe{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  EXPECT_FALSE(probe.next(in({})));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::not_a_keeper) << describe(*failure);
  EXPECT_NE(failure->message.find("not a keeper"), std::string::npos) << failure->message;
}

TEST_F(keeper_links, give_up_on_a_silent_stream_at_the_hello_timeout) {
  const auto container = start_workspace();
  exec_spec silent;
  silent.cmd = {"sleep", "60"};
  auto exec_id = docker_->create_exec(container, silent);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  keeper_link_options options;
  options.hello_timeout = std::chrono::milliseconds{300};
  link_probe probe{*docker_, existing_exec{*exec_id}, options};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::hello_timeout) << describe(*failure);
}

TEST_F(keeper_links, report_a_bridge_that_cannot_reach_the_keeper_with_its_stderr) {
  const auto container = start_workspace();
  keeper_link_options options;
  options.attach_flags = {"--socket", "/tmp/nowhere.sock"};
  link_probe probe{*docker_, container, options};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::keeper_unreachable) << describe(*failure);
  EXPECT_NE(failure->message.find("/tmp/nowhere.sock"), std::string::npos) << failure->message;
}

TEST_F(keeper_links, report_a_container_that_is_not_running_as_a_docker_conflict) {
  auto container = create(spec());
  link_probe probe{*docker_, container};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::docker) << describe(*failure);
  ASSERT_TRUE(failure->docker);
  EXPECT_EQ(failure->docker->code, error_code::conflict) << describe(*failure->docker);
}

}  // namespace
}  // namespace berth::docker::testing
