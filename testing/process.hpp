#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::testing {

/// Where a child_process's output goes.
struct child_output {
  /// The file stderr goes to, kept afterwards; empty: a temporary file, removed with the
  /// child_process.
  std::string stderr_path;
  /// Stdout to /dev/null instead of this process's stdout (a benchmark prints its result
  /// there).
  bool discard_stdout = false;
};

/// A child process with its stderr captured in a file (for starting a real `berth serve`).
class child_process {
 public:
  /// Starts `argv` with the current environment plus `environment` overrides.
  child_process(const std::vector<std::string>& argv,
                const std::map<std::string, std::string>& environment = {},
                const child_output& output = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Reads stderr until a line containing `needle` arrives (looking on from the line after
  /// the last one found); returns that line.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout);
  /// Sends `signal` to the child.
  void signal(int signal);
  /// Waits for the exit (a zero timeout checks once); the exit code, or 128+signal, or
  /// nothing on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  /// Everything read from stderr so far.
  const std::string& output() const { return output_; }
  int pid() const { return pid_; }

 private:
  void drain_output();
  /// Appends what the child wrote since the last read; true when there was something.
  bool read_available();

  int pid_ = -1;
  int stderr_fd_ = -1;
  std::string log_path_;
  bool remove_log_ = false;
  std::string output_;
  std::size_t scanned_ = 0;
  std::optional<int> exit_code_;
};

/// Response of a one-shot HTTP/1.1 request.
struct http_reply {
  int status = 0;
  std::string headers;
  std::string body;
};

/// Sends `raw` (a complete request) to 127.0.0.1:port and reads the reply until close; from
/// `source_address` (another loopback address, e.g. 127.0.0.2) when given, so a test can be
/// two clients at two addresses.
std::optional<http_reply> http_exchange(int port, const std::string& raw,
                                        const std::string& source_address = "");
/// `GET path` with `Connection: close`.
std::optional<http_reply> http_get(int port, const std::string& path);

/// The integer after `"key":` in a JSON log line.
std::optional<long> json_field_integer(const std::string& line, const std::string& key);

}  // namespace berth::testing
