#include "tests/keeper/keeper_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "docker/keeper/protocol.hpp"

#include <gtest/gtest.h>
#include <sys/un.h>

namespace berth::keeper::testing {
namespace {}  // namespace

keeper_client keeper_client::connect(const std::string& socket_path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot connect to " + socket_path);
  }
  keeper_client client(fd.get(), fd.get());
  client.owned_ = std::move(fd);
  return client;
}

keeper_client::keeper_client(int read_fd, int write_fd) : read_fd_(read_fd), write_fd_(write_fd) {}

void keeper_client::send(const message& m) {
  send_raw(encode_message(m));
}

void keeper_client::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t put = ::send(write_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (put < 0 && errno == ENOTSOCK) {
      const ssize_t written = ::write(write_fd_, bytes.data(), bytes.size());
      if (written <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return;  // the peer is gone; the test notices when reading
    bytes.remove_prefix(static_cast<std::size_t>(put));
  }
}

std::optional<message> keeper_client::next(deadline until) {
  while (!ended_) {
    decode_step step = decoder_.next();
    if (auto* f = std::get_if<frame>(&step)) {
      parse_result parsed = parse_message(*f);
      if (auto* m = std::get_if<message>(&parsed)) return std::move(*m);
      stream_error_ = std::get<decode_error>(parsed);
      ended_ = true;
      return std::nullopt;
    }
    if (auto* error = std::get_if<decode_error>(&step)) {
      stream_error_ = *error;
      ended_ = true;
      return std::nullopt;
    }
    pollfd entry{read_fd_, POLLIN, 0};
    const int ready = ::poll(&entry, 1, remaining_ms(until));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buffer[65536];
    const ssize_t got = ::read(read_fd_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      ended_ = true;
      return std::nullopt;
    }
    decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
  }
  return std::nullopt;
}

bool read_until(keeper_client& client, session_stream& stream,
                const std::function<bool(const session_stream&)>& done, deadline until, bool ack) {
  while (!done(stream)) {
    std::optional<message> m = client.next(until);
    if (!m) return false;
    if (auto* output = std::get_if<output_event>(&*m);
        output && output->session == stream.session) {
      if (output->offset != stream.next_offset()) stream.discontinuous = true;
      stream.bytes += output->data;
      if (ack) client.send(ack_request{stream.session, stream.next_offset()});
    } else if (auto* exited = std::get_if<exited_event>(&*m)) {
      if (exited->session == stream.session) stream.exit = exited->status;
    } else if (auto* gap = std::get_if<gap_reply>(&*m)) {
      stream.gap = *gap;
    } else if (auto* error = std::get_if<error_reply>(&*m)) {
      stream.error = *error;
    }
  }
  return true;
}

bool read_to_exit(keeper_client& client, session_stream& stream, bool ack) {
  return read_until(
      client, stream, [](const session_stream& s) { return s.exit.has_value(); }, in(patience),
      ack);
}

message open_session(keeper_client& client, open_request request) {
  client.send(request);
  while (auto m = client.next(in(patience))) {
    if (std::holds_alternative<opened_reply>(*m) || std::holds_alternative<error_reply>(*m)) {
      return *m;
    }
  }
  return error_reply{error_code::io_error, request.session, "no reply to open"};
}

session_stream attach(keeper_client& client, const std::string& session, std::uint64_t from) {
  client.send(attach_request{session, from});
  session_stream stream;
  stream.session = session;
  while (auto m = client.next(in(patience))) {
    if (auto* attached = std::get_if<attached_reply>(&*m)) {
      stream.start = attached->offset;
      return stream;
    }
    if (auto* gap = std::get_if<gap_reply>(&*m)) {
      stream.gap = *gap;
      stream.start = gap->oldest;
      return stream;
    }
    if (auto* error = std::get_if<error_reply>(&*m)) {
      stream.error = *error;
      return stream;
    }
  }
  ADD_FAILURE() << "no reply to attach " << session;
  return stream;
}

bool keeper_answers(const std::string& socket_path) {
  auto client = keeper_client::connect(socket_path);
  client.send(list_request{});
  return client.next_of<session_list_reply>(in(patience)).has_value();
}

std::string seq_on_terminal(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i)
    out += std::to_string(i) + "\r\n";
  return out;
}

}  // namespace berth::keeper::testing
