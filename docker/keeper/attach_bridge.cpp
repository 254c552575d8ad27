#include "docker/keeper/attach_bridge.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "docker/keeper/limits.hpp"
#include "docker/keeper/log.hpp"
#include "docker/keeper/socket_path.hpp"

namespace berth::keeper {
namespace {

/// Bytes read from one side and not yet written to the other.
struct pipe_buffer {
  std::string bytes;
  std::size_t written = 0;

  bool has_room() const { return bytes.size() - written < limits::read_chunk; }
  bool empty() const { return written == bytes.size(); }
};

enum class io_result { progress, would_block, closed };

void set_non_blocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

io_result fill(int fd, pipe_buffer& buffer) {
  char chunk[limits::read_chunk];
  while (true) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got > 0) {
      if (buffer.empty()) {
        buffer.bytes.clear();
        buffer.written = 0;
      }
      buffer.bytes.append(chunk, static_cast<std::size_t>(got));
      return io_result::progress;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return io_result::would_block;
    return io_result::closed;
  }
}

io_result drain(int fd, pipe_buffer& buffer) {
  while (!buffer.empty()) {
    const ssize_t put =
        ::write(fd, buffer.bytes.data() + buffer.written, buffer.bytes.size() - buffer.written);
    if (put > 0) {
      buffer.written += static_cast<std::size_t>(put);
      continue;
    }
    if (put < 0 && errno == EINTR) continue;
    if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return io_result::would_block;
    return io_result::closed;
  }
  return io_result::progress;
}

}  // namespace

int run_attach_bridge(const attach_options& options) {
  // Berth closing the exec stream must end this process through EOF or EPIPE, never a signal.
  ::signal(SIGPIPE, SIG_IGN);
  auto connected = connect_to(options.socket_path);
  if (auto* failure = std::get_if<std::string>(&connected)) {
    log_line("attach: " + *failure);
    return 1;
  }
  const int socket = std::get<unique_fd>(connected).get();
  set_non_blocking(socket);
  set_non_blocking(STDIN_FILENO);
  set_non_blocking(STDOUT_FILENO);

  pipe_buffer upstream;    // stdin → socket
  pipe_buffer downstream;  // socket → stdout
  bool stdin_open = true;
  bool socket_open = true;
  while (true) {
    // Each side ends the bridge only once what it sent has been passed on.
    if (!stdin_open && upstream.empty()) return 0;
    if (!socket_open && downstream.empty()) return 0;
    pollfd fds[3] = {{STDIN_FILENO, 0, 0}, {socket, 0, 0}, {STDOUT_FILENO, 0, 0}};
    if (stdin_open && upstream.has_room()) fds[0].events |= POLLIN;
    if (socket_open && downstream.has_room()) fds[1].events |= POLLIN;
    if (!upstream.empty()) fds[1].events |= POLLOUT;
    if (!downstream.empty()) fds[2].events |= POLLOUT;
    // A side with nothing to wait for is left out, so its hang-up cannot spin the loop.
    for (auto& entry : fds) {
      if (entry.events == 0) entry.fd = -1;
    }
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents != 0 && fill(STDIN_FILENO, upstream) == io_result::closed) {
      stdin_open = false;
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && socket_open && downstream.has_room() &&
        fill(socket, downstream) == io_result::closed) {
      socket_open = false;
    }
    if (!upstream.empty() && drain(socket, upstream) == io_result::closed) return 1;
    if (!downstream.empty() && drain(STDOUT_FILENO, downstream) == io_result::closed) return 1;
  }
}

}  // namespace berth::keeper
