// `berth audit verify | history | export-session` run as the real binary on a real server's
// database, and GET /api/audit/verify and /api/audit/workspaces/{wid}/history (PostgreSQL and
// Docker: the exports record real shells; asciinema plays them back).

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/api/audit_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

/// How a command ended and what it wrote.
struct command_run {
  int exit_code = -1;
  std::string out, err;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// `text` in single quotes for sh.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs `command` with sh, its standard input empty, capturing both outputs in `folder`.
command_run run_shell(const std::string& command, const std::string& folder) {
  const auto out = folder + "/stdout", err = folder + "/stderr";
  const int status =
      std::system((command + " </dev/null >" + quoted(out) + " 2>" + quoted(err)).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

/// The audit fixture plus a scratch folder and a runner for `build/berth audit ...` on the
/// server's database.
class audit_cli_test : public audit_test {
 protected:
  void SetUp() override {
    audit_test::SetUp();
    if (HasFatalFailure()) return;
    char pattern[] = "/tmp/berth-audit-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
    audit_test::TearDown();
  }

  command_run berth_audit(const std::string& arguments) {
    return run_shell(std::string(BERTH_BINARY) + " audit " + arguments + " --database-url " +
                         quoted(url()) + " --log-level warn",
                     folder_);
  }

  /// A closed session of alice's that printed `cast-42 café ☃`; {workspace, session, output}.
  std::tuple<std::string, std::string, std::string> recorded_session() {
    const auto [workspace, session] = open_session();
    {
      auto client = attach(workspace, session);
      require(client.type("printf 'cast-%s caf\\303\\251 \\342\\230\\203\\n' $((6*7))\r"));
      require(client.wait_for("cast-42 café ☃", 10s));
      require(client.type("printf '\\033[1mbold\\033[0m\\ttab\\n'; exit 3\r"));
      require(client.wait_for_control("exit", 15s).is_object());
    }
    auto replay = attach(workspace, session, 0);
    require(replay.wait_for_control("exit", 10s).is_object());
    EXPECT_EQ(replay.start(), 0);
    return {workspace, session, replay.output()};
  }

  /// Ends the test (gtest catches the exception) where an ASSERT cannot return.
  static void require(bool condition) {
    if (!condition) throw std::runtime_error("the recorded session did not run as expected");
  }

  std::string folder_;
};

TEST_F(audit_cli_test, exports_a_session_that_asciinema_cat_plays_back_byte_for_byte) {
  const auto [workspace, session, recorded] = recorded_session();
  ASSERT_NE(recorded.find("cast-42 café ☃"), std::string::npos) << recorded;
  ASSERT_NE(recorded.find("\x1b[1mbold\x1b[0m\ttab"), std::string::npos) << recorded;

  const auto file = folder_ + "/session.cast";
  const auto exported =
      berth_audit("export-session " + session + " --format asciicast-v2 --output " + quoted(file));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, "") << "with --output nothing goes to standard output";
  // The CLI writes what the API serves.
  EXPECT_EQ(read_file(file), alice_->call("GET", "/api/audit/sessions/" + session + "/cast").body);

  const auto asciinema = run_shell("command -v asciinema", folder_);
  ASSERT_EQ(asciinema.exit_code, 0)
      << "asciinema is not installed: apt-get install asciinema (scripts/debian-packages.txt)";
  // asciinema cat wants a terminal; script(1) gives it one, which asciinema puts in raw mode,
  // so the bytes pass the pty untranslated (no \n → \r\n).
  const auto played =
      run_shell("script -qec " + quoted("asciinema cat " + quoted(file)) + " /dev/null", folder_);
  ASSERT_EQ(played.exit_code, 0) << played.err;
  EXPECT_EQ(played.out, recorded);
}

TEST_F(audit_cli_test, exports_asciicast_v3_lines_with_input_to_standard_output) {
  const auto [workspace, session, recorded] = recorded_session();
  const auto exported = berth_audit("export-session " + session + " --format asciicast-v3 --input");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  ASSERT_FALSE(exported.out.empty());
  ASSERT_EQ(exported.out.back(), '\n');

  std::istringstream lines(exported.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const auto header = json::parse(line);
  EXPECT_EQ(header.at("version").as_int64(), 3);
  EXPECT_EQ(json::serialize(header.at("term")), R"({"cols":80,"rows":24,"type":"xterm-256color"})");
  EXPECT_TRUE(header.at("timestamp").is_int64());
  std::string output, typed, exit_status;
  int events = 0;
  while (std::getline(lines, line)) {
    ++events;
    boost::system::error_code failed;
    const auto event = json::parse(line, failed);
    ASSERT_FALSE(failed) << line;
    ASSERT_TRUE(event.is_array()) << line;
    const auto& fields = event.as_array();
    ASSERT_EQ(fields.size(), 3u) << line;
    ASSERT_TRUE(fields[0].is_number()) << line;
    EXPECT_GE(fields[0].to_number<double>(), 0.0) << "v3 intervals are never negative";
    ASSERT_TRUE(fields[1].is_string() && fields[2].is_string()) << line;
    const std::string code(fields[1].as_string());
    const std::string data(fields[2].as_string());
    if (code == "o")
      output += data;
    else if (code == "i")
      typed += data;
    else if (code == "x")
      exit_status = data;
    else
      EXPECT_EQ(code, "r") << line;
  }
  EXPECT_GT(events, 2);
  EXPECT_EQ(output, recorded);
  EXPECT_NE(typed.find("exit 3\r"), std::string::npos) << typed;
  EXPECT_EQ(exit_status, "3");
}

TEST_F(audit_cli_test, refuses_an_unknown_session_or_format) {
  auto run = berth_audit(
      "export-session 0190aaaa-0000-7000-8000-000000000000 --format "
      "asciicast-v2");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("no session 0190aaaa-0000-7000-8000-000000000000"), std::string::npos)
      << run.err;
  run = berth_audit("export-session not-an-id --format asciicast-v2");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("no session not-an-id"), std::string::npos) << run.err;
  run = berth_audit("export-session 0190aaaa-0000-7000-8000-000000000000 --format gif");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("usage:"), std::string::npos) << run.err;
}

TEST_F(audit_cli_test, verify_reports_ok_then_names_the_row_changed_with_sql) {
  const auto workspace = text_of(create_workspace(*alice_, "chained", false), "id");
  ASSERT_EQ(alice_->call("PATCH", "/api/workspaces/" + workspace, R"({"name":"renamed"})").status,
            200);
  ASSERT_EQ(alice_->call("PATCH", "/api/workspaces/" + workspace, R"({"name":"again"})").status,
            200);

  auto run = berth_audit("verify");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out.rfind("OK: ", 0), 0u) << run.out;
  EXPECT_NE(run.out.find(" streams, "), std::string::npos) << run.out;
  const auto api = audrey_->call("GET", "/api/audit/verify");
  ASSERT_EQ(api.status, 200) << api.body;
  EXPECT_TRUE(api.json.at("ok").as_bool());
  EXPECT_TRUE(api.json.at("broken").as_array().empty());
  // The line and the API count the same log (nothing was appended in between).
  EXPECT_EQ(run.out, "OK: " + std::to_string(api.json.at("streams").as_int64()) + " streams, " +
                         std::to_string(api.json.at("events").as_int64()) + " events verified\n");

  {
    pqxx::connection c(url());
    pqxx::work tx(c);
    tx.exec0("ALTER TABLE es_events DISABLE TRIGGER es_events_append_only");
    tx.exec0("UPDATE es_events SET data = '{\"name\": \"forged\"}' WHERE stream_id = 'workspace-" +
             workspace + "' AND stream_version = 3");
    tx.exec0("ALTER TABLE es_events ENABLE TRIGGER es_events_append_only");
    tx.commit();
  }
  run = berth_audit("verify");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "BROKEN workspace-" + workspace +
                         " at version 3: hash does not match the event's content\n"
                         "FAILED: 1 of " +
                         std::to_string(api.json.at("streams").as_int64()) + " streams broken (" +
                         std::to_string(api.json.at("events").as_int64()) +
                         " events checked); first broken link: stream workspace-" + workspace +
                         ", version 3 (hash does not match the event's content)\n");
  run = berth_audit("verify --json");
  EXPECT_EQ(run.exit_code, 1);
  const auto broken = ada_->call("GET", "/api/audit/verify");
  ASSERT_EQ(broken.status, 200);
  EXPECT_EQ(json::parse(run.out), broken.json);
  EXPECT_FALSE(broken.json.at("ok").as_bool());
  EXPECT_EQ(json::serialize(broken.json.at("broken")),
            R"([{"stream_id":"workspace-)" + workspace +
                R"(","version":3,"reason":"hash does not match the event's content"}])");

  EXPECT_EQ(alice_->call("GET", "/api/audit/verify").status, 403);
  EXPECT_EQ(bob_->call("GET", "/api/audit/verify").status, 403);
  EXPECT_EQ(anonymous_->call("GET", "/api/audit/verify").status, 401);
  EXPECT_EQ(ada_->call("GET", "/api/audit/verify?deep=1").status, 422);
}

TEST_F(audit_cli_test, history_shows_the_state_at_a_time_from_the_log) {
  const auto workspace = text_of(create_workspace(*alice_, "before", false), "id");
  const auto path = "/api/workspaces/" + workspace;
  ASSERT_EQ(alice_->call("PATCH", path, R"({"name":"after"})").status, 200);
  const auto history_path = "/api/audit/workspaces/" + workspace + "/history";
  const auto now = audrey_->call("GET", history_path);
  ASSERT_EQ(now.status, 200) << now.body;
  const auto& events = now.json.at("events").as_array();
  ASSERT_GE(events.size(), 2u) << now.body;
  EXPECT_EQ(events[0].at("type").as_string(), "WorkspaceCreated");
  EXPECT_EQ(events[0].at("actor").as_string(), user_id_of(*alice_));
  EXPECT_TRUE(now.json.at("at_ms").is_null());
  EXPECT_EQ(now.json.at("state").at("name").as_string(), "after");
  const auto renamed = std::find_if(events.begin(), events.end(), [](const json::value& event) {
    return event.at("type").as_string() == "WorkspaceRenamed";
  });
  ASSERT_NE(renamed, events.end()) << now.body;
  ASSERT_GT(renamed, events.begin());

  // Just before the rename was recorded: the name it had then, folded from the log.
  const auto before_rename = std::string(renamed[-1].at("recorded_at").as_string());
  const auto then = ada_->call("GET", history_path + "?at=" + before_rename);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(then.json.at("state").at("name").as_string(), "before");
  EXPECT_EQ(then.json.at("state").at("version").as_int64(), renamed[-1].at("version").as_int64());
  EXPECT_FALSE(then.json.at("events")
                   .as_array()[static_cast<std::size_t>(renamed - events.begin())]
                   .at("in_state")
                   .as_bool());

  // The CLI prints the same document.
  const auto cli =
      berth_audit("history --workspace " + workspace + " --at " + before_rename + " --json");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out), then.json);
  const auto in_ms = std::to_string(then.json.at("at_ms").as_int64());
  EXPECT_EQ(ada_->call("GET", history_path + "?at=" + in_ms).json.at("at_ms"),
            then.json.at("at_ms"));
  const auto text = berth_audit("history --workspace " + workspace);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("WorkspaceRenamed"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  name              after\n"), std::string::npos) << text.out;

  EXPECT_EQ(alice_->call("GET", history_path).status, 403) << "members ask the workspace API";
  EXPECT_EQ(anonymous_->call("GET", history_path).status, 401);
  for (const char* at : {"?at=yesterday", "?at=2026-02-30T00:00:00Z", "?at=-5", "?when=1"}) {
    const auto refused = ada_->call("GET", history_path + at);
    EXPECT_EQ(refused.status, 422) << at;
    EXPECT_EQ(refused.error_code(), "invalid") << at;
  }
  // A `+` offset must be percent-encoded; sent as %2B it is read.
  EXPECT_EQ(ada_->call("GET", history_path + "?at=2026-11-23T14:00:00%2B01:00").status, 200);
  EXPECT_EQ(ada_->call("GET", "/api/audit/workspaces/0190aaaa-0000-7000-8000-000000000000/history")
                .status,
            404);
  EXPECT_EQ(ada_->call("GET", "/api/audit/workspaces/garbage/history").status, 404);
  const auto unknown = berth_audit("history --workspace 0190aaaa-0000-7000-8000-000000000000");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no workspace 0190aaaa-0000-7000-8000-000000000000"),
            std::string::npos)
      << unknown.err;
}

}  // namespace
}  // namespace berth::testing
