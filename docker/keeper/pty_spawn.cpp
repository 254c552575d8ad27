#include "docker/keeper/pty_spawn.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/close_range.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>

extern char** environ;

namespace berth::keeper {
namespace {

/// Program a login session runs when the client names none.
std::vector<std::string> login_shell() {
  for (const char* bash : {"/bin/bash", "/usr/bin/bash"}) {
    if (::access(bash, X_OK) == 0) return {bash, "-l"};
  }
  return {"/bin/sh", "-l"};
}

std::string_view name_of(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

/// The keeper's environment with the request's entries laid over it, plus a TERM default.
std::vector<std::string> merged_environment(const std::vector<std::string>& overrides) {
  auto has = [](const std::vector<std::string>& entries, std::string_view name) {
    return std::any_of(entries.begin(), entries.end(),
                       [name](const std::string& entry) { return name_of(entry) == name; });
  };
  std::vector<std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (!has(overrides, name_of(*entry))) result.emplace_back(*entry);
  }
  result.insert(result.end(), overrides.begin(), overrides.end());
  if (!has(result, "TERM")) result.emplace_back("TERM=xterm-256color");
  return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings)
    result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

std::string home_of(const std::vector<std::string>& environment) {
  for (const auto& entry : environment) {
    if (name_of(entry) == "HOME") return entry.substr(5);
  }
  return {};
}

/// Runs in the child between fork and exec; reports errno through report_fd on failure.
[[noreturn]] void become_child(int slave, int report_fd, const std::string& cwd,
                               const std::string& home, char** argv, char** envp) {
  // The keeper blocks SIGCHLD/SIGTERM/SIGINT for its signalfd and ignores SIGPIPE; both
  // survive exec, and a shell must start with neither.
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int signal_number : {SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP}) {
    ::signal(signal_number, SIG_DFL);
  }
  int failed_errno = 0;
  if (::setsid() < 0 || ::ioctl(slave, TIOCSCTTY, 0) < 0) failed_errno = errno;
  if (failed_errno == 0) {
    for (int target = 0; target <= 2; ++target) {
      if (::dup2(slave, target) < 0) failed_errno = errno;
    }
  }
  if (failed_errno == 0) {
    if (slave > 2) ::close(slave);
    // Whatever the keeper inherited from its own parent must not reach the user's shell; the
    // report pipe, already close-on-exec, stays usable until exec.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (cwd.empty() || ::chdir(cwd.c_str()) != 0) {
      if (home.empty() || ::chdir(home.c_str()) != 0) {
        if (::chdir("/") != 0) failed_errno = errno;
      }
    }
  }
  if (failed_errno == 0) {
    environ = envp;
    ::execvp(argv[0], argv);
    failed_errno = errno;
  }
  [[maybe_unused]] auto written = ::write(report_fd, &failed_errno, sizeof failed_errno);
  ::_exit(127);
}

std::string system_error(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

bool set_window_size(int master, std::uint16_t cols, std::uint16_t rows) {
  winsize size{};
  size.ws_col = cols;
  size.ws_row = rows;
  return ::ioctl(master, TIOCSWINSZ, &size) == 0;
}

std::variant<spawned_process, spawn_failure> spawn_in_pty(const spawn_request& request) {
  unique_fd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) return spawn_failure{system_error("posix_openpt")};
  if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) {
    return spawn_failure{system_error("unlockpt")};
  }
  char slave_name[128];
  if (::ptsname_r(master.get(), slave_name, sizeof slave_name) != 0) {
    return spawn_failure{system_error("ptsname")};
  }
  unique_fd slave(::open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave.valid()) return spawn_failure{system_error("open pty slave")};
  if (!set_window_size(master.get(), request.cols, request.rows)) {
    return spawn_failure{system_error("set window size")};
  }
  if (::fcntl(master.get(), F_SETFL, ::fcntl(master.get(), F_GETFL) | O_NONBLOCK) != 0) {
    return spawn_failure{system_error("fcntl")};
  }

  // Everything the child needs is built before fork so the child only makes system calls.
  std::vector<std::string> argv = request.argv.empty() ? login_shell() : request.argv;
  std::vector<std::string> environment = merged_environment(request.env);
  const std::string home = home_of(environment);
  std::vector<char*> argv_pointers = pointers_to(argv);
  std::vector<char*> env_pointers = pointers_to(environment);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return spawn_failure{system_error("pipe")};
  unique_fd report_read(report[0]);
  unique_fd report_write(report[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return spawn_failure{system_error("fork")};
  if (pid == 0) {
    become_child(slave.get(), report_write.get(), request.cwd, home, argv_pointers.data(),
                 env_pointers.data());
  }
  report_write.reset();
  slave.reset();

  // The report pipe closes on a successful exec (O_CLOEXEC); otherwise it carries errno.
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(report_read.get(), &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return spawn_failure{"cannot start " + argv.front() + ": " + std::strerror(child_errno)};
  }
  return spawned_process{std::move(master), pid};
}

}  // namespace berth::keeper
