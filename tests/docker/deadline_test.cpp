// The client never hangs: a peer that accepts connections but never answers (a wedged
// daemon) ends every call with `timeout`, over a unix socket and over TCP.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "docker/client.hpp"
#include "docker/exec_stream.hpp"

namespace berth::docker {
namespace {

// A listening socket whose connections the kernel completes but nobody ever reads.
class silent_listener {
 public:
  static silent_listener unix_socket() {
    silent_listener listener;
    char directory[] = "/tmp/berth-silent-XXXXXX";
    EXPECT_NE(mkdtemp(directory), nullptr);
    listener.directory_ = directory;
    auto path = listener.directory_ + "/docker.sock";
    listener.fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    EXPECT_EQ(bind(listener.fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(listener.fd_, 16), 0);
    listener.docker_host_ = "unix://" + path;
    return listener;
  }

  static silent_listener tcp() {
    silent_listener listener;
    listener.fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // let the kernel pick a free port
    EXPECT_EQ(bind(listener.fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(listener.fd_, 16), 0);
    socklen_t length = sizeof address;
    getsockname(listener.fd_, reinterpret_cast<sockaddr*>(&address), &length);
    listener.docker_host_ = "tcp://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    return listener;
  }

  silent_listener(silent_listener&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)),
        directory_(std::move(other.directory_)),
        docker_host_(std::move(other.docker_host_)) {
    other.directory_.clear();
  }

  ~silent_listener() {
    if (fd_ >= 0) ::close(fd_);
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  const std::string& docker_host() const { return docker_host_; }

 private:
  silent_listener() = default;
  int fd_ = -1;
  std::string directory_;
  std::string docker_host_;
};

void expect_connect_times_out(const std::string& docker_host) {
  client_options options;
  options.docker_host = docker_host;
  options.request_timeout = std::chrono::milliseconds{300};
  auto started = std::chrono::steady_clock::now();
  auto connected = client::connect(options);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, error_code::timeout) << describe(connected.error());
  EXPECT_LT(elapsed, std::chrono::seconds{3});
}

void expect_exec_stream_times_out(const std::string& docker_host) {
  auto host = parse_docker_host(docker_host);
  ASSERT_TRUE(host);
  boost::asio::io_context io;
  std::optional<error> failure;
  bool closed = false;
  exec_stream_options options;
  options.connect_timeout = std::chrono::milliseconds{300};
  auto stream = exec_stream::open(io, *host, required_api_version, "any", options,
                                  {.on_output = {}, .on_closed = [&](std::optional<error> result) {
                                     failure = std::move(result);
                                     closed = true;
                                   }});
  io.run_for(std::chrono::seconds{3});
  ASSERT_TRUE(closed) << "the exec stream ignored its connect timeout";
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, error_code::timeout) << describe(*failure);
}

TEST(client_deadlines, a_silent_daemon_on_a_unix_socket_ends_the_call_with_timeout) {
  auto listener = silent_listener::unix_socket();
  expect_connect_times_out(listener.docker_host());
}

TEST(client_deadlines, a_silent_daemon_on_tcp_ends_the_call_with_timeout) {
  auto listener = silent_listener::tcp();
  expect_connect_times_out(listener.docker_host());
}

TEST(client_deadlines, a_silent_daemon_ends_an_exec_stream_with_timeout_on_unix_and_tcp) {
  auto unix_listener = silent_listener::unix_socket();
  expect_exec_stream_times_out(unix_listener.docker_host());
  auto tcp_listener = silent_listener::tcp();
  expect_exec_stream_times_out(tcp_listener.docker_host());
}

TEST(client_deadlines, a_missing_socket_is_reported_as_daemon_unavailable) {
  client_options options;
  options.docker_host = "unix:///nonexistent/berth-test.sock";
  auto connected = client::connect(options);
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, error_code::daemon_unavailable) << describe(connected.error());
  EXPECT_NE(connected.error().message.find("unix:///nonexistent/berth-test.sock"),
            std::string::npos)
      << connected.error().message;
}

}  // namespace
}  // namespace berth::docker
