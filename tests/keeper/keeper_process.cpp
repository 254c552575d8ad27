#include "tests/keeper/keeper_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace berth::keeper::testing {
namespace {

bool can_connect(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace

deadline in(std::chrono::milliseconds span) {
  return std::chrono::steady_clock::now() + span;
}

int remaining_ms(deadline until) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

std::string keeper_binary() {
  return BERTH_KEEPER_BINARY;
}

child_process child_process::start(const std::vector<std::string>& argv) {
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<char*> pointers;
  for (const auto& a : argv)
    pointers.push_back(const_cast<char*>(a.c_str()));
  pointers.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  child_process child;
  child.pid_ = pid;
  child.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  child.stdin_.reset(to_child[1]);
  child.stdout_.reset(from_child[0]);
  return child;
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(other.reaped_),
      status_(other.status_),
      pidfd_(std::move(other.pidfd_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)) {}

child_process::~child_process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void child_process::signal(int signal_number) const {
  ::kill(pid_, signal_number);
}

std::optional<int> child_process::wait(deadline until) {
  if (reaped_) return status_;
  pollfd entry{pidfd_.get(), POLLIN, 0};
  while (true) {
    const int ready = ::poll(&entry, 1, remaining_ms(until));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    if (::waitpid(pid_, &status_, 0) != pid_) return std::nullopt;
    reaped_ = true;
    return status_;
  }
}

keeper_server::keeper_server(std::vector<std::string> flags) {
  std::string pattern = (std::filesystem::temp_directory_path() / "keeper-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  socket_path_ = directory_ + "/k.sock";
  std::vector<std::string> argv = {keeper_binary(), "serve", "--socket", socket_path_};
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_.emplace(child_process::start(argv));
  // Polls for the socket: the keeper creates it right after start-up.
  const deadline until = in(patience);
  while (!can_connect(socket_path_)) {
    if (std::chrono::steady_clock::now() > until || !alive()) {
      throw std::runtime_error("keeper did not start listening on " + socket_path_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

keeper_server::~keeper_server() {
  if (process_) {
    process_->signal(SIGTERM);
    process_->wait(in(patience));
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::optional<int> keeper_server::stop(int signal_number) {
  process_->signal(signal_number);
  return process_->wait(in(patience));
}

bool keeper_server::alive() {
  return process_ && !process_->wait(std::chrono::steady_clock::now()).has_value();
}

}  // namespace berth::keeper::testing
