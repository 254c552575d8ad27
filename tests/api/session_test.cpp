// Terminal sessions over the real WebSocket of a real server, with PostgreSQL and Docker.

#include <regex>

#include <gtest/gtest.h>

#include "tests/api/session_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_F(session_test, echoes_to_every_client_and_resizes_the_terminal) {
  const auto [workspace, session] = open_session();
  auto first = attach(workspace, session);
  auto second = attach(workspace, session);
  const auto attached = first.wait_for_control("attached", 10s);
  ASSERT_TRUE(attached.is_object());
  EXPECT_EQ(attached.at("cols").as_int64(), 80);

  ASSERT_TRUE(first.type("echo hi-$((6*7))\r"));
  EXPECT_TRUE(first.wait_for("hi-42", 10s)) << first.output();
  EXPECT_TRUE(second.wait_for("hi-42", 10s)) << second.output();

  ASSERT_TRUE(second.send_json(R"({"type":"resize","cols":120,"rows":40})"));
  const auto status = first.wait_for_control("status", 10s, first.controls().size());
  ASSERT_TRUE(status.is_object());
  const auto mark = second.output().size();
  ASSERT_TRUE(second.type("stty size\r"));
  EXPECT_TRUE(second.wait_for("40 120", 10s, mark)) << second.output();

  // Recorded: the session's read model follows its events.
  EXPECT_TRUE(wait_until(
      [&] {
        const auto listed = alice_->call("GET", "/api/workspaces/" + workspace + "/sessions");
        return listed.status == 200 && listed.json.at("sessions").as_array().size() == 1 &&
               listed.json.at("sessions").as_array()[0].at("cols").as_int64() == 120;
      },
      10s));
  EXPECT_EQ(first.discontinuities(), 0);
}

TEST_F(session_test, checks_authentication_ownership_and_origin_before_the_upgrade) {
  const auto [workspace, session] = open_session();
  const auto other_workspace = text_of(create_workspace(*alice_, "other", false), "id");
  const auto port = server_->port();
  const auto path = "/api/workspaces/" + workspace + "/sessions/" + session + "/ws";
  auto status_of = [&](const std::string& target,
                       std::vector<std::pair<std::string, std::string>> headers) {
    auto refused = ws_client::connect(port, target, headers);
    return refused ? 101 : refused.error().status;
  };
  const std::pair<std::string, std::string> alice{"Authorization", "Bearer " + alice_token_};
  EXPECT_EQ(status_of(path, {}), 401);
  EXPECT_EQ(status_of(path, {{"Authorization", "Bearer " + token_of("bob")}}), 403);
  EXPECT_EQ(status_of(path, {{"Authorization", "Bearer " + token_of("audrey")}}), 403);
  EXPECT_EQ(status_of(path, {alice, {"Origin", "http://evil.example"}}), 403);
  EXPECT_EQ(status_of(path + "?from=abc", {alice}), 400);
  EXPECT_EQ(status_of(path + "?from=-1", {alice}), 400);
  EXPECT_EQ(
      status_of("/api/workspaces/" + other_workspace + "/sessions/" + session + "/ws", {alice}),
      404);
  EXPECT_EQ(status_of("/api/workspaces/" + workspace +
                          "/sessions/0190aaaa-0000-7000-8000-000000000000/ws",
                      {alice}),
            404);
  EXPECT_EQ(status_of("/api/workspaces/" + workspace + "/sessions/garbage/ws", {alice}), 404);
  // Its REST resource under another workspace (refused from the read model, before the
  // session's actor is asked).
  EXPECT_EQ(
      alice_->call("GET", "/api/workspaces/" + other_workspace + "/sessions/" + session).status,
      404);
  EXPECT_EQ(alice_->call("GET", "/api/workspaces/" + workspace + "/sessions/" + session).status,
            200);
  EXPECT_EQ(status_of(path, {alice, {"Origin", "http://127.0.0.1:" + std::to_string(port)}}), 101);
  EXPECT_EQ(status_of(path, {{"Authorization", "Bearer " + token_of("ada")}}), 101);
  // Opening and closing follow the same rules.
  EXPECT_EQ(bob_->call("POST", "/api/workspaces/" + workspace + "/sessions").status, 403);
  EXPECT_EQ(audrey_->call("POST", "/api/workspaces/" + workspace + "/sessions").status, 403);
  EXPECT_EQ(audrey_->call("GET", "/api/workspaces/" + workspace + "/sessions").status, 200);
  EXPECT_EQ(bob_->call("DELETE", "/api/workspaces/" + workspace + "/sessions/" + session).status,
            403);
  EXPECT_EQ(
      alice_->call("POST", "/api/workspaces/" + workspace + "/sessions", R"({"cols":0})").status,
      422);
  EXPECT_EQ(
      alice_->call("POST", "/api/workspaces/" + workspace + "/sessions", R"({"colz":80})").status,
      422);
  EXPECT_EQ(alice_->call("POST", "/api/workspaces/" + workspace + "/sessions", "{").status, 400);
}

/// The `line-N` numbers of the output, in order.
std::vector<long> numbered_lines(const std::string& output) {
  static const std::regex line(R"(line-(\d+)\r\n)");
  std::vector<long> numbers;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
       it != std::sregex_iterator(); ++it) {
    numbers.push_back(std::stol((*it)[1].str()));
  }
  return numbers;
}

/// Sessions with the default replay limit (8 MiB): what the shell prints while the server is
/// down must come back as bytes, not as a screen snapshot.
class session_restart_test : public session_test {
 protected:
  std::map<std::string, std::string> server_environment() const override {
    auto environment = session_test::server_environment();
    environment.erase("BERTH_SESSION_REPLAY_LIMIT");
    return environment;
  }
};

TEST_F(session_restart_test, loses_no_byte_and_keeps_the_shell_across_a_kill_9) {
  const auto [workspace, session] = open_session();
  auto before = attach(workspace, session);
  ASSERT_TRUE(before.type("echo \"pid-$$\"-\"end\"\r"));
  ASSERT_TRUE(before.wait_for("-end\r\n", 10s));
  const std::regex pid_pattern(R"(pid-(\d+)-end\r\n)");
  std::smatch found;
  ASSERT_TRUE(std::regex_search(before.output(), found, pid_pattern)) << before.output();
  const auto pid = found[1].str();

  // 50 000 numbered lines over ~15 s, so the kill lands mid-way and the shell goes on printing
  // while the server is down. The pause is `read -t` on a FIFO nobody writes (a bash builtin):
  // forking `sleep` per line took minutes and made the test as slow as the machine's fork.
  ASSERT_TRUE(before.type(
      "rm -f /tmp/pace; mkfifo /tmp/pace; exec 3<>/tmp/pace; for i in $(seq 1 50000); do echo "
      "line-$i; read -t 0.0002 -u 3; done; exec 3>&-; echo loop-$((40+2))\r"));
  ASSERT_TRUE(before.wait_for("line-2000\r\n", 120s));
  server_->kill_hard();
  before.drain(200ms);
  const auto resume_from = before.end();
  ASSERT_TRUE(server_->start());

  auto after = attach(workspace, session, resume_from);
  const auto finished = after.wait_for("loop-42", 240s);
  if (!finished) {
    for (const auto& control : after.controls())
      ADD_FAILURE() << "control: " << control;
    const auto log = server_->output();
    ADD_FAILURE() << "resumed from " << resume_from << ", got " << after.output().size()
                  << " bytes, closed " << after.socket().close_code() << "\n"
                  << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
  }
  ASSERT_TRUE(finished);
  const auto mark = after.output().size();
  ASSERT_TRUE(after.type("echo \"pid-$$\"-\"end\"\r"));
  ASSERT_TRUE(after.wait_for("-end\r\n", 10s, mark));
  std::smatch again;
  const auto tail = after.output().substr(mark);
  ASSERT_TRUE(std::regex_search(tail, again, pid_pattern)) << tail;
  EXPECT_EQ(again[1].str(), pid) << "the shell is not the same process";

  EXPECT_EQ(after.start(), resume_from);
  EXPECT_EQ(after.discontinuities(), 0);
  const auto numbers = numbered_lines(before.output() + after.output());
  ASSERT_EQ(numbers.size(), 50000u);
  for (long i = 0; i < 50000; ++i) {
    if (numbers[static_cast<std::size_t>(i)] != i + 1) {
      FAIL() << "line " << i + 1 << " is " << numbers[static_cast<std::size_t>(i)];
    }
  }
}

TEST_F(session_test, closes_after_the_grace_period_also_after_a_restart) {
  // Downtime not counting is grace_spent_before_restart's rule (actors_unit_tests); this shows
  // the server applies it: a session detached, killed and restarted is still open and only
  // closes once its grace (4 s in this fixture) has passed on the new server.
  const auto [workspace, session] = open_session();
  {
    auto client = attach(workspace, session);
    ASSERT_TRUE(client.type("echo first\r"));
    ASSERT_TRUE(client.wait_for("first\r\n", 10s));
    client.socket().close();
  }
  {
    // Back within the grace period: the same shell, its output still there.
    auto client = attach(workspace, session, 0);
    ASSERT_TRUE(client.wait_for("first\r\n", 10s));
    client.socket().close();
  }
  server_->kill_hard();
  ASSERT_TRUE(server_->start());
  EXPECT_EQ(text_of(session_of(workspace, session), "state"), "open");
  EXPECT_TRUE(wait_until(
      [&] { return text_of(session_of(workspace, session), "state") == "closed"; }, 15s));
  const auto closed = session_of(workspace, session);
  EXPECT_EQ(text_of(closed, "close_reason"), "grace_expired") << closed;
}

TEST_F(session_test, reports_the_exit_status_when_the_shell_exits) {
  const auto [workspace, session] = open_session();
  auto client = attach(workspace, session);
  ASSERT_TRUE(client.type("exit 3\r"));
  const auto exit = client.wait_for_control("exit", 15s);
  ASSERT_TRUE(exit.is_object()) << client.output();
  EXPECT_EQ(exit.at("status").as_int64(), 3);
  EXPECT_TRUE(wait_until(
      [&] { return text_of(session_of(workspace, session), "close_reason") == "exited"; }, 10s));
  EXPECT_EQ(session_of(workspace, session).at("exit_status").as_int64(), 3);
}

TEST_F(session_test, closes_on_request_and_replays_a_closed_session) {
  const auto [workspace, session] = open_session();
  {
    auto client = attach(workspace, session);
    ASSERT_TRUE(client.type("echo recorded-$((1+1))\r"));
    ASSERT_TRUE(client.wait_for("recorded-2", 10s));
  }
  const auto closed =
      alice_->call("DELETE", "/api/workspaces/" + workspace + "/sessions/" + session);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(text_of(closed.json, "state"), "closed");
  EXPECT_EQ(text_of(closed.json, "close_reason"), "closed_by_user");
  auto replay = attach(workspace, session, 0);
  EXPECT_TRUE(replay.wait_for("recorded-2", 10s));
  EXPECT_TRUE(replay.wait_for_control("exit", 10s).is_object());
}

TEST_F(session_test, takes_the_keys_of_a_client_waiting_for_output_not_yet_recorded) {
  const auto [workspace, session] = open_session();
  auto watching = attach(workspace, session);
  ASSERT_TRUE(watching.type("echo first-$((1+1))\r"));
  ASSERT_TRUE(watching.wait_for("first-2\r\n", 10s));
  // As a page does after a kill -9 when it drew output the server had not recorded: it asks
  // to resume past the end, and waits (up to ten seconds) for the keeper to send it again.
  auto ahead = attach(workspace, session, watching.end() + 100'000);
  const auto mark = watching.output().size();
  ASSERT_TRUE(ahead.type("echo waiting-$((4+5))\r"));
  ASSERT_TRUE(ahead.send_json(R"({"type":"ping"})"));
  ASSERT_TRUE(ahead.wait_for_control("pong", 10s).is_object());
  EXPECT_FALSE(ahead.wait_for_control("attached", 0s).is_object());  // still waiting
  EXPECT_TRUE(watching.wait_for("waiting-9\r\n", 5s, mark)) << watching.output();
}

TEST_F(session_test, limits_open_sessions_per_workspace) {
  const auto [workspace, first] = open_session();
  const auto path = "/api/workspaces/" + workspace + "/sessions";
  ASSERT_EQ(alice_->call("POST", path).status, 201);
  ASSERT_EQ(alice_->call("POST", path).status, 201);
  const auto refused = alice_->call("POST", path);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.error_code(), "quota_exceeded");
  ASSERT_EQ(alice_->call("DELETE", path + "/" + first).status, 200);
  EXPECT_EQ(alice_->call("POST", path).status, 201);
}

TEST_F(session_test, survives_hostile_frames) {
  const auto [workspace, session] = open_session();
  auto client = attach(workspace, session);
  ASSERT_TRUE(client.wait_for_control("attached", 10s).is_object());
  auto expect_error = [&](std::string_view frame, const std::string& code) {
    const auto since = client.controls().size();
    ASSERT_TRUE(client.send_json(frame));
    const auto error = client.wait_for_control("error", 5s, since);
    ASSERT_TRUE(error.is_object()) << frame;
    EXPECT_EQ(text_of(error, "code"), code) << frame;
  };
  expect_error("not json", "malformed");
  expect_error(R"({"type":"dance"})", "unknown_type");
  expect_error(R"({"type":"resize","cols":5000,"rows":1})", "out_of_range");
  expect_error(R"({"type":"resize","cols":80})", "missing_field");
  expect_error(R"({"type":"ping","extra":1})", "unknown_field");
  expect_error(R"([1,2,3])", "malformed");
  // Binary garbage is typed into the shell as any bytes are: bash says it is no command.
  std::string garbage;
  for (int i = 0; i < 2000; ++i)
    garbage.push_back(static_cast<char>(0x80 + (i * 37) % 0x80));
  const auto typed_at = client.output().size();
  ASSERT_TRUE(client.type(garbage + "\r"));
  EXPECT_TRUE(client.wait_for("command not found", 10s, typed_at));
  // Still connected and answering.
  const auto since = client.controls().size();
  ASSERT_TRUE(client.send_json(R"({"type":"ping"})"));
  EXPECT_TRUE(client.wait_for_control("pong", 5s, since).is_object());

  // An oversized input frame: an error, then the connection closes.
  ASSERT_TRUE(client.type(std::string(100 * 1024, 'x')));
  EXPECT_TRUE(client.wait_for_control("error", 5s, since).is_object());
  client.drain(2s);
  EXPECT_TRUE(client.socket().closed());

  // A flood: rate limited and closed.
  auto flooding = attach(workspace, session);
  for (int i = 0; i < 10000 && !flooding.socket().closed(); ++i)
    flooding.send_json(R"({"type":"ping"})");
  const auto limited = flooding.wait_for_control("error", 5s);
  flooding.drain(2s);
  EXPECT_TRUE(flooding.socket().closed());
  bool rate_limited = false;
  for (const auto& control : flooding.controls())
    rate_limited = rate_limited || text_of(control, "code") == "rate_limited";
  EXPECT_TRUE(rate_limited);

  // The server and the session are fine.
  EXPECT_EQ(anonymous_->call("GET", "/healthz").status, 200);
  auto after = attach(workspace, session);
  ASSERT_TRUE(after.type("echo still-$((20+1))\r"));
  EXPECT_TRUE(after.wait_for("still-21", 10s)) << after.output();
}

}  // namespace
}  // namespace berth::testing
