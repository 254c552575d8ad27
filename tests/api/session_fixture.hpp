#pragma once

#include <cstdint>
#include <string>

#include "testing/terminal_client.hpp"
#include "tests/api/api_fixture.hpp"

namespace berth::testing {

/// Where the output recorded in a session stream (`session-<id>`) ends.
std::int64_t output_recorded_end(const std::string& url, const std::string& stream);

/// The bytes of output recorded in a session stream: the sum of its OutputRecorded bodies
/// (where output_recorded_end would not see a gap).
std::int64_t output_recorded_bytes(const std::string& url, const std::string& stream);

/// The name of a workspace's container (as Berth names it: docker::workspace_resource_name).
inline std::string container_of(const std::string& workspace_id) {
  return "berth-ws-" + workspace_id;
}

/// The API fixture with a short session grace (4 s), a small replay limit (16 KiB) and at most
/// three open sessions per workspace, so grace expiry, snapshot resumes and the limit happen
/// within a test.
class session_test : public api_test {
 protected:
  std::map<std::string, std::string> server_environment() const override;

  /// A bearer token of `username` (password `<name>-password`).
  std::string token_of(const std::string& username);
  /// Creates a running workspace of alice's and opens a session in it; {workspace, session}.
  std::pair<std::string, std::string> open_session(int cols = 80, int rows = 24);
  /// Connects alice's terminal, failing the test when refused.
  terminal_client attach(const std::string& workspace_id, const std::string& session_id,
                         std::optional<std::int64_t> from = std::nullopt);
  /// Prints 24 MB of 100-column lines and then "printed-42" through a client of its own
  /// (twelve keyframe intervals of output), and waits until all of it is recorded (clients
  /// see output before it commits); the end offset of what that client received.
  std::int64_t print_24_megabytes(const std::string& workspace_id, const std::string& session_id);
  /// The session as GET .../sessions/{sid} shows it.
  boost::json::value session_of(const std::string& workspace_id, const std::string& session_id);

  std::string alice_token_;
};

}  // namespace berth::testing
