#include "docker/keeper/socket_path.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::keeper {
namespace {

/// Listen backlog: connections come from Berth's execs, a handful at a time.
constexpr int backlog = 64;

std::string failure(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool make_address(const std::string& path, sockaddr_un& address) {
  address = {};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.data(), path.size());
  return true;
}

/// Creates the socket's directory 0700 if missing; an existing one is left as its owner set it.
bool ensure_directory(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return true;
  const std::string directory = path.substr(0, slash);
  return ::mkdir(directory.c_str(), 0700) == 0 || errno == EEXIST;
}

int connect_socket(const sockaddr_un& address) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int result;
  do {
    result = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

std::variant<unique_fd, std::string> listen_on(const std::string& path) {
  sockaddr_un address;
  if (!make_address(path, address)) return "socket path is empty or too long: " + path;
  if (!ensure_directory(path)) return failure("cannot create directory for", path);

  unique_fd probe(connect_socket(address));
  if (probe.valid()) return "another keeper is already serving on " + path;
  if (errno == ECONNREFUSED) ::unlink(path.c_str());  // left behind by a keeper that died

  unique_fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return failure("cannot create socket for", path);
  // Created 0600 from the start: no window in which another user could connect.
  const mode_t previous = ::umask(0177);
  const int bound =
      ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::umask(previous);
  if (bound != 0) return failure("cannot bind", path);
  if (::listen(listener.get(), backlog) != 0) return failure("cannot listen on", path);
  return listener;
}

std::variant<unique_fd, std::string> connect_to(const std::string& path) {
  sockaddr_un address;
  if (!make_address(path, address)) return "socket path is empty or too long: " + path;
  unique_fd socket(connect_socket(address));
  if (!socket.valid()) return failure("cannot connect to", path);
  return socket;
}

}  // namespace berth::keeper
