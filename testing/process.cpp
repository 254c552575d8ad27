#include "testing/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

extern char** environ;

namespace berth::testing {

child_process::child_process(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& environment,
                             const child_output& output) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [key, value] : environment)
    merged[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : merged)
    env_strings.push_back(key + "=" + value);
  std::vector<char*> env_pointers;
  for (auto& text : env_strings)
    env_pointers.push_back(text.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (auto& text : args)
    arg_pointers.push_back(text.data());
  arg_pointers.push_back(nullptr);

  // stderr goes to a file, not a pipe: a chatty child (debug logs) never blocks on a pipe
  // nobody reads while the test is busy elsewhere.
  int log_fd = -1;
  if (output.stderr_path.empty()) {
    char path[] = "/tmp/berth-child-XXXXXX";
    log_fd = mkostemp(path, O_CLOEXEC);
    if (log_fd >= 0) {
      log_path_ = path;
      remove_log_ = true;
    }
  } else {
    log_path_ = output.stderr_path;
    log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  }
  if (log_fd < 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (output.discard_stdout) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  if (posix_spawn(&pid_, arg_pointers[0], &actions, nullptr, arg_pointers.data(),
                  env_pointers.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(log_fd);
  stderr_fd_ = open(log_path_.c_str(), O_RDONLY | O_CLOEXEC);
}

child_process::~child_process() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
  if (remove_log_) unlink(log_path_.c_str());
}

bool child_process::read_available() {
  bool got = false;
  char buffer[65536];
  for (;;) {
    const auto n = stderr_fd_ >= 0 ? read(stderr_fd_, buffer, sizeof buffer) : 0;
    if (n <= 0) return got;
    output_.append(buffer, static_cast<std::size_t>(n));
    got = true;
  }
}

std::optional<std::string> child_process::wait_for_line(const std::string& needle,
                                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t line_end;
    while ((line_end = output_.find('\n', scanned_)) != std::string::npos) {
      const auto line = output_.substr(scanned_, line_end - scanned_);
      scanned_ = line_end + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    if (std::chrono::steady_clock::now() >= deadline || stderr_fd_ < 0) return std::nullopt;
    if (!read_available()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void child_process::drain_output() {
  read_available();
}

void child_process::signal(int signal) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signal);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return exit_code_ = 127;  // never started, as a shell reports it
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const auto done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      drain_output();
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<http_reply> http_exchange(int port, const std::string& raw,
                                        const std::string& source_address) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  if (!source_address.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (inet_pton(AF_INET, source_address.c_str(), &source.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      close(fd);
      return std::nullopt;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{30, 0};  // a container start on a loaded machine can take seconds
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return std::nullopt;
  }
  std::size_t sent = 0;
  while (sent < raw.size()) {
    const auto n = send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[8192];
  for (;;) {
    const auto n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  const auto header_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || header_end == std::string::npos) return std::nullopt;
  http_reply reply;
  reply.status = std::stoi(response.substr(9, 3));
  reply.headers = response.substr(0, header_end);
  reply.body = response.substr(header_end + 4);
  return reply;
}

std::optional<http_reply> http_get(int port, const std::string& path) {
  return http_exchange(port,
                       "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

std::optional<long> json_field_integer(const std::string& line, const std::string& key) {
  const auto at = line.find("\"" + key + "\":");
  if (at == std::string::npos) return std::nullopt;
  return std::strtol(line.c_str() + at + key.size() + 3, nullptr, 10);
}

}  // namespace berth::testing
