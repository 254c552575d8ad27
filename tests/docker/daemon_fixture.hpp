#pragma once

// Shared set-up of the tests that talk to the real Docker daemon (label `docker`). They fail,
// never skip, when the daemon is unreachable.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "docker/client.hpp"
#include "docker/exec_stream.hpp"

namespace berth::docker::testing {

/// The image every daemon test runs: Debian's static busybox, imported by the fixture.
inline constexpr std::string_view test_image = "berth-test-busybox:1";

/// Everything an exec printed, split by stream, and how it ended.
struct exec_outcome {
  std::string std_out;
  std::string std_err;
  std::optional<error> failure;  ///< The stream's error, if it did not end cleanly.
  bool closed = false;           ///< False when the deadline passed first.
  int exit_code = -1;
};

/// Connects a client, makes sure the test image exists, and removes whatever a test created.
class daemon_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// A name unique to this test run, e.g. "berth-test-<pid>-<n>-<suffix>".
  std::string unique_name(std::string_view suffix);
  /// A container spec on the test image, labelled `berth.test=1`, running `cmd`.
  container_spec test_spec(std::vector<std::string> cmd);
  /// Creates a container and registers it for removal; fails the test on error.
  std::string create(const container_spec& spec);
  /// Creates and starts a container running `sleep 3600`.
  std::string start_sleeper(container_spec spec);
  /// Registers a volume for removal.
  void track_volume(std::string name) { volumes_.push_back(std::move(name)); }

  /// Runs `cmd` in a container through the hijacked stream, writing `input` then EOF.
  exec_outcome run_exec(const std::string& container_id, std::vector<std::string> cmd,
                        std::string input = {},
                        std::chrono::seconds limit = std::chrono::seconds{30});
  /// Runs an exec created from `spec` the same way.
  exec_outcome run_exec(const std::string& container_id, const exec_spec& spec,
                        std::string input = {},
                        std::chrono::seconds limit = std::chrono::seconds{30});

  std::optional<client> docker_;

 private:
  std::vector<std::string> containers_;
  std::vector<std::string> volumes_;
};

/// Serves `data` as a request body in pieces of at most `piece` bytes, as a file reader would.
body_source string_source(std::string data, std::size_t piece = SIZE_MAX);

/// Polls `condition` until it holds or `limit` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit);

/// The process's peak resident set size so far (VmHWM), in bytes.
std::size_t peak_resident_bytes();

}  // namespace berth::docker::testing
