#pragma once

// A real `berth serve` child process, for the API tests (through tests/support/berth_server)
// and the end-to-end benchmarks (`berth bench api`, `berth bench sessions`).

#include <cstdint>
#include <map>
#include <string>

#include "testing/process.hpp"

namespace berth::testing {

/// A `berth serve` child with its standard error (its log) in a file. Stopped with SIGTERM
/// when destroyed (SIGKILL when it has not exited 20 s later).
class server_process {
 public:
  struct options {
    /// The `berth` executable; empty: this process's own (`berth bench` runs itself).
    std::string binary = {};
    std::string data_dir;
    /// `host:port`; port 0 lets the kernel choose.
    std::string listen = "127.0.0.1:0";
    /// Variables set in the child's environment on top of this process's.
    std::map<std::string, std::string> environment;
    /// Where the log goes, kept afterwards; empty: a temporary file removed with this object.
    std::string log_path = {};
  };

  /// Starts the child and waits (up to 60 s) until it logs that it serves; port() is 0 when
  /// it did not (output() says why).
  explicit server_process(const options& settings);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  int port() const { return port_; }
  int pid() const { return process_.pid(); }
  /// The child's resident set (VmRSS in /proc/<pid>/status), in KiB; 0 when unknown.
  std::int64_t rss_kib() const;
  /// SIGKILL, as a crash would: nothing is flushed or closed cleanly. Waits until it is gone.
  void kill_hard();
  /// Everything the server logged so far.
  std::string output();

 private:
  child_process process_;
  int port_ = 0;
};

}  // namespace berth::testing
