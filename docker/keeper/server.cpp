#include "docker/keeper/server.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "docker/keeper/limits.hpp"
#include "docker/keeper/log.hpp"
#include "docker/keeper/socket_path.hpp"

namespace berth::keeper {
namespace {

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

exit_status status_from_wait(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return {true, static_cast<std::uint8_t>(WTERMSIG(wait_status))};
  }
  return {false, static_cast<std::uint8_t>(WEXITSTATUS(wait_status))};
}

std::string describe(const exit_status& status) {
  return status.signaled ? "killed by signal " + std::to_string(status.value)
                         : "exit code " + std::to_string(status.value);
}

/// What a pollfd entry stands for; ids rather than pointers because handlers may remove
/// connections and sessions while the poll results are walked.
struct poll_target {
  enum class kind { signals, listener, connection, terminal } what;
  std::uint64_t connection_id = 0;
  std::string session_id;
};

}  // namespace

server::server(serve_options options) : options_(std::move(options)) {}

int server::run() {
  // A peer that vanishes mid-write must cost an EPIPE, not the keeper.
  ::signal(SIGPIPE, SIG_IGN);
  if (!open_signals() || !open_listener()) return 1;
  log_line("serving on " + options_.socket_path);

  std::vector<pollfd> fds;
  std::vector<poll_target> targets;
  while (!stopping_) {
    fds.clear();
    targets.clear();
    fds.push_back({signals_.get(), POLLIN, 0});
    targets.push_back({poll_target::kind::signals, 0, {}});
    fds.push_back({listener_.get(), POLLIN, 0});
    targets.push_back({poll_target::kind::listener, 0, {}});
    for (const auto& [id, c] : connections_) {
      short events = 0;
      if (!c->closing && !blocked(*c)) events |= POLLIN;
      if (c->unsent() > 0) events |= POLLOUT;
      fds.push_back({c->fd.get(), events, 0});
      targets.push_back({poll_target::kind::connection, id, {}});
    }
    for (const auto& [id, s] : sessions_) {
      short events = 0;
      if (s->master.valid() && s->output.writable() > 0) events |= POLLIN;
      if (s->master.valid() && !s->pending_input.empty()) events |= POLLOUT;
      // A terminal with nothing to do stays out of the set: its hang-up must not spin the loop
      // while the journal waits for an ack.
      if (events == 0) continue;
      fds.push_back({s->master.get(), events, 0});
      targets.push_back({poll_target::kind::terminal, 0, id});
    }

    const int ready =
        ::poll(fds.data(), fds.size(), poll_timeout_ms(std::chrono::steady_clock::now()));
    if (ready < 0 && errno != EINTR) {
      log_line(errno_text("poll"));
      return 1;
    }
    for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      const short revents = fds[i].revents;
      if (revents == 0) continue;
      const poll_target& target = targets[i];
      switch (target.what) {
        case poll_target::kind::signals:
          handle_signals();
          break;
        case poll_target::kind::listener:
          accept_connections();
          break;
        case poll_target::kind::connection: {
          auto found = connections_.find(target.connection_id);
          if (found == connections_.end()) break;
          connection& c = *found->second;
          if (revents & POLLOUT) write_connection(c);
          if (revents & POLLIN) {
            read_connection(c);
          } else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
            c.dead = true;
          }
          break;
        }
        case poll_target::kind::terminal: {
          auto found = sessions_.find(target.session_id);
          if (found == sessions_.end()) break;
          session& s = *found->second;
          // Hang-up: every slave descriptor is closed, so queued input has no reader left.
          if (revents & POLLHUP) s.pending_input.clear();
          if (revents & (POLLOUT | POLLERR)) write_terminal(s);
          if (revents & (POLLIN | POLLHUP | POLLERR)) read_terminal(s);
          break;
        }
      }
    }
    run_timers(std::chrono::steady_clock::now());
    for (auto& [id, c] : connections_)
      process_requests(*c);
    for (auto& [id, c] : connections_) {
      // Refill for as long as the socket takes everything: an emptied queue asks for no
      // POLLOUT, so stopping here would leave journal bytes unsent until some other event.
      bool refill = true;
      while (refill) {
        refill = pump_output(*c);
        write_connection(*c);
        refill = refill && c->unsent() == 0 && !c->dead;
      }
    }
    sweep();
  }
  shut_down();
  return 0;
}

bool server::open_signals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) {
    log_line(errno_text("sigprocmask"));
    return false;
  }
  signals_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals_.valid()) log_line(errno_text("signalfd"));
  return signals_.valid();
}

bool server::open_listener() {
  auto listener = listen_on(options_.socket_path);
  if (auto* failure = std::get_if<std::string>(&listener)) {
    log_line(*failure);
    return false;
  }
  listener_ = std::move(std::get<unique_fd>(listener));
  return true;
}

int server::poll_timeout_ms(steady_time now) const {
  std::optional<steady_time> earliest;
  auto consider = [&earliest](steady_time t) {
    if (!earliest || t < *earliest) earliest = t;
  };
  for (const auto& [id, s] : sessions_) {
    if (s->kill_deadline) consider(*s->kill_deadline);
    // A full journal waits for an ack, not for the clock.
    if (s->drain_deadline && s->master.valid() && s->output.writable() > 0) {
      consider(*s->drain_deadline);
    }
  }
  if (!earliest) return -1;
  if (*earliest <= now) return 0;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*earliest - now);
  return static_cast<int>(std::min<std::chrono::milliseconds::rep>(wait.count(), 60'000));
}

void server::handle_signals() {
  signalfd_siginfo info;
  while (true) {
    const ssize_t got = ::read(signals_.get(), &info, sizeof info);
    if (got < 0 && errno == EINTR) continue;
    if (got != static_cast<ssize_t>(sizeof info)) break;
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stopping_ = true;
  }
  // SIGCHLD coalesces: whatever arrived, wait for every child that has ended.
  reap_children();
}

void server::reap_children() {
  std::vector<std::string> closed;
  while (true) {
    int wait_status = 0;
    const pid_t pid = ::waitpid(-1, &wait_status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) break;
    for (auto& [id, s] : sessions_) {
      if (s->pid != pid || s->status) continue;
      s->status = status_from_wait(wait_status);
      s->drain_deadline = std::chrono::steady_clock::now() + limits::drain_grace;
      log_line("session " + id + " ended: " + describe(*s->status));
      if (s->closing) closed.push_back(id);
    }
  }
  for (const auto& id : closed)
    remove_session(id);
}

void server::accept_connections() {
  while (true) {
    unique_fd socket(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!socket.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) log_line(errno_text("accept"));
      return;
    }
    if (connections_.size() >= limits::max_connections) {
      // Best effort: the peer learns why before the socket closes.
      std::string refusal = encode_message(hello{});
      append_message(refusal, error_reply{error_code::limit_reached, "", "too many connections"});
      [[maybe_unused]] auto sent =
          ::send(socket.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;
    }
    const std::uint64_t id = next_connection_id_++;
    auto c = std::make_unique<connection>(id, std::move(socket));
    append_message(c->out, hello{});
    connections_.emplace(id, std::move(c));
  }
}

void server::read_connection(connection& c) {
  char buffer[limits::read_chunk];
  while (true) {
    const ssize_t got = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
    if (got > 0) {
      c.decoder.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
      return;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    c.dead = true;  // orderly close or reset: the peer is gone either way
    return;
  }
}

void server::write_connection(connection& c) {
  while (c.unsent() > 0 && !c.dead) {
    const ssize_t put =
        ::send(c.fd.get(), c.out.data() + c.sent, c.unsent(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (put > 0) {
      c.sent += static_cast<std::size_t>(put);
    } else if (put < 0 && errno == EINTR) {
      continue;
    } else if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      c.dead = true;  // EPIPE, ECONNRESET: the attacher died; its sessions carry on
    }
  }
  if (c.sent == c.out.size()) {
    c.out.clear();
    c.sent = 0;
  } else if (c.sent > limits::connection_high_water) {
    c.out.erase(0, c.sent);
    c.sent = 0;
  }
}

void server::read_terminal(session& s) {
  char buffer[limits::read_chunk];
  // A few reads per wake-up: a PTY hands out about 4 KiB per read.
  for (int round = 0; round < 16 && s.master.valid(); ++round) {
    const std::size_t room = std::min(sizeof buffer, s.output.writable());
    if (room == 0) return;  // back-pressure: the PTY waits until an ack frees journal space
    const ssize_t got = ::read(s.master.get(), buffer, room);
    if (got > 0) {
      s.output.append(std::string_view(buffer, static_cast<std::size_t>(got)));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EIO (or 0): every slave descriptor is closed and the buffered output is all read.
    hang_up_terminal(s);
  }
}

void server::write_terminal(session& s) {
  while (!s.pending_input.empty() && s.master.valid()) {
    const ssize_t put = ::write(s.master.get(), s.pending_input.data(), s.pending_input.size());
    if (put > 0) {
      s.pending_input.erase(0, static_cast<std::size_t>(put));
    } else if (put < 0 && errno == EINTR) {
      continue;
    } else if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      s.pending_input.clear();  // the terminal is gone; nobody can read this input any more
    }
  }
}

void server::hang_up_terminal(session& s) {
  s.master.reset();
  s.pending_input.clear();
  s.drain_deadline.reset();
}

void server::run_timers(steady_time now) {
  for (auto& [id, s] : sessions_) {
    if (s->kill_deadline && *s->kill_deadline <= now) {
      ::kill(-s->pid, SIGKILL);
      s->kill_deadline.reset();
    }
    if (s->drain_deadline && *s->drain_deadline <= now && s->master.valid() &&
        s->output.writable() > 0) {
      // The process is gone but something (a background job) holds the terminal open. Read
      // what is buffered; if the journal still has room, nothing more is waiting: hang up.
      read_terminal(*s);
      if (s->master.valid() && s->output.writable() > 0) hang_up_terminal(*s);
    }
  }
}

bool server::pump_output(connection& c) {
  if (c.closing || c.dead) return false;
  bool appended = false;
  bool progress = true;
  while (progress && c.unsent() < limits::connection_high_water) {
    progress = false;
    // Round-robin, one frame per attachment per pass, so one busy session cannot starve others.
    for (auto& a : c.attachments) {
      if (c.unsent() >= limits::connection_high_water) break;
      auto found = sessions_.find(a.session);
      if (found == sessions_.end()) continue;
      const session& s = *found->second;
      if (a.cursor < s.output.begin()) {
        // Someone else's ack let the journal drop bytes this attacher had not read yet.
        append_message(c.out, gap_reply{a.session, a.cursor, s.output.begin()});
        a.cursor = s.output.begin();
        progress = true;
      }
      const std::string_view data = s.output.read(a.cursor, limits::output_chunk);
      if (!data.empty()) {
        append_output(c.out, a.session, a.cursor, data);
        a.cursor += data.size();
        progress = true;
      } else if (s.exited() && !a.exit_sent) {
        append_message(c.out, exited_event{a.session, *s.status, s.output.end()});
        a.exit_sent = true;
        progress = true;
      }
    }
    appended = appended || progress;
  }
  return appended;
}

void server::sweep() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    connection& c = *it->second;
    if (c.closing && c.unsent() == 0) c.dead = true;
    it = c.dead ? connections_.erase(it) : std::next(it);
  }
}

void server::shut_down() {
  log_line("stopping: hanging up " + std::to_string(sessions_.size()) + " session(s)");
  for (auto& [id, s] : sessions_) {
    if (!s->status) ::kill(-s->pid, SIGHUP);
  }
  ::unlink(options_.socket_path.c_str());
}

}  // namespace berth::keeper
