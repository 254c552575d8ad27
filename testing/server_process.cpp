#include "testing/server_process.hpp"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

/// Longest wait for the server to listen: a migration on a loaded machine takes seconds.
constexpr std::chrono::seconds start_timeout{60};
/// Longest wait for a SIGTERM'd server to exit before it is killed.
constexpr std::chrono::seconds stop_timeout{20};

std::string executable_or_self(const std::string& binary) {
  if (!binary.empty()) return binary;
  std::error_code ignored;
  return std::filesystem::read_symlink("/proc/self/exe", ignored).string();
}

}  // namespace

server_process::server_process(const options& settings)
    : process_({executable_or_self(settings.binary), "serve", "--listen", settings.listen,
                "--data-dir", settings.data_dir},
               settings.environment, {.stderr_path = settings.log_path, .discard_stdout = true}) {
  // The server logs `"msg":"serving"` with its port once it listens; it may also give up,
  // which ends the wait early.
  const auto deadline = std::chrono::steady_clock::now() + start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto line = process_.wait_for_line("\"msg\":\"serving\"", 100ms)) {
      port_ = static_cast<int>(json_field_integer(*line, "port").value_or(0));
      return;
    }
    if (process_.wait(0ms)) return;
  }
}

server_process::~server_process() {
  process_.signal(SIGTERM);
  if (!process_.wait(stop_timeout)) kill_hard();
}

std::int64_t server_process::rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(process_.pid()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + std::strlen("VmRSS:"));
  }
  return 0;
}

void server_process::kill_hard() {
  process_.signal(SIGKILL);
  process_.wait(stop_timeout);
}

std::string server_process::output() {
  process_.wait_for_line("\n\n", 200ms);  // no line holds "\n\n": reads what is there
  return process_.output();
}

}  // namespace berth::testing
