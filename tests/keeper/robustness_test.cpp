// Hostile and broken peers: malformed, oversized and random frames, requests on exited sessions,
// attachers that vanish. The keeper answers with errors and keeps serving everyone else.

#include <gtest/gtest.h>

#include <random>

#include "tests/keeper/keeper_client.hpp"
#include "tests/keeper/keeper_process.hpp"

namespace berth::keeper::testing {
namespace {

/// Sends bytes and expects one error frame with code, then the end of the connection.
void expect_fatal(const keeper_server& keeper, std::string_view bytes, error_code code) {
  auto client = keeper_client::connect(keeper.socket_path());
  client.send_raw(bytes);
  auto error = client.next_of<error_reply>(in(patience));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, code) << error->message;
  EXPECT_FALSE(client.next(in(patience)).has_value());
  EXPECT_TRUE(client.ended());
}

TEST(keeper_robustness, closes_a_connection_that_announces_an_oversized_frame) {
  keeper_server keeper;
  expect_fatal(keeper, std::string("\x00\x10\x00\x01\x12", 5), error_code::frame_too_large);
  expect_fatal(keeper, "GET / HTTP/1.1\r\n\r\n", error_code::frame_too_large);
  EXPECT_TRUE(keeper_answers(keeper.socket_path()));
}

TEST(keeper_robustness, closes_a_connection_that_sends_a_malformed_or_unknown_frame) {
  keeper_server keeper;
  expect_fatal(keeper, std::string("\x00\x00\x00\x02\x11\x00\x00", 7), error_code::malformed_frame);
  expect_fatal(keeper, std::string("\x00\x00\x00\x00\x99", 5), error_code::unknown_frame_type);
  expect_fatal(keeper, encode_message(output_event{"s", 0, "x"}), error_code::unknown_frame_type);
  EXPECT_TRUE(keeper_answers(keeper.socket_path()));
}

TEST(keeper_robustness, survives_random_bytes_on_many_connections) {
  keeper_server keeper;
  std::mt19937 random(20261123);
  for (int round = 0; round < 50; ++round) {
    auto client = keeper_client::connect(keeper.socket_path());
    std::string noise(static_cast<std::size_t>(random() % 2000), '\0');
    for (auto& c : noise)
      c = static_cast<char>(random());
    // Mostly small lengths, so some noise parses as frames and reaches the request handlers.
    if (noise.size() > 4) noise[0] = noise[1] = noise[2] = 0;
    client.send_raw(noise);
  }
  EXPECT_TRUE(keeper_answers(keeper.socket_path()));
}

TEST(keeper_robustness, answers_requests_for_unknown_or_ended_sessions_with_errors) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  client.send(input_request{"ghost", "x"});
  auto unknown = client.next_of<error_reply>(in(patience));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->code, error_code::unknown_session);
  EXPECT_EQ(unknown->session, "ghost");

  open_request request;
  request.session = "ended";
  request.argv = {"/bin/true"};
  open_session(client, request);
  session_stream stream = attach(client, "ended", 0);
  ASSERT_TRUE(read_to_exit(client, stream));
  client.send(input_request{"ended", "x"});
  auto not_running = client.next_of<error_reply>(in(patience));
  ASSERT_TRUE(not_running.has_value());
  EXPECT_EQ(not_running->code, error_code::session_not_running);
  client.send(list_request{});
  EXPECT_TRUE(client.next_of<session_list_reply>(in(patience)).has_value());
}

TEST(keeper_robustness, keeps_the_session_running_when_an_attacher_vanishes_unread) {
  keeper_server keeper;
  auto control = keeper_client::connect(keeper.socket_path());
  open_request request;
  request.session = "busy";
  request.argv = {"/bin/sh", "-c", "read go; seq 1 50000"};
  open_session(control, request);
  for (int i = 0; i < 5; ++i) {
    // Each attacher stops reading and disappears with output still queued for it.
    auto doomed = keeper_client::connect(keeper.socket_path());
    doomed.send(attach_request{"busy", 0});
  }
  session_stream stream = attach(control, "busy", 0);
  control.send(input_request{"busy", "go\n"});
  ASSERT_TRUE(read_to_exit(control, stream));
  EXPECT_EQ(stream.bytes, "go\r\n" + seq_on_terminal(50000));
  EXPECT_TRUE(keeper_answers(keeper.socket_path()));
}

TEST(keeper_robustness, takes_a_large_paste_without_losing_input) {
  keeper_server keeper;
  auto client = keeper_client::connect(keeper.socket_path());
  open_request request;
  request.session = "paste";
  request.argv = {"/bin/sh", "-c", "stty -echo; echo ready; wc -c"};
  open_session(client, request);
  session_stream stream = attach(client, "paste", 0);
  ASSERT_TRUE(read_until(
      client, stream, [](const auto& s) { return s.bytes.find("ready") != std::string::npos; },
      in(patience)));
  // Canonical mode caps a line at 4095 bytes, so the paste is many short lines.
  const std::string line = std::string(99, 'p') + "\n";
  std::string paste;
  while (paste.size() < 800 * 1000)
    paste += line;
  for (std::size_t at = 0; at < paste.size(); at += 100 * 1000) {
    client.send(input_request{"paste", paste.substr(at, 100 * 1000)});
  }
  client.send(input_request{"paste", "\x04"});
  ASSERT_TRUE(read_to_exit(client, stream));
  EXPECT_NE(stream.bytes.find(std::to_string(paste.size())), std::string::npos) << stream.bytes;
}

}  // namespace
}  // namespace berth::keeper::testing
