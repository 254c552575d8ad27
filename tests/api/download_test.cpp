// Downloads (workspace exports) against a real server, PostgreSQL and Docker: slow readers hold
// stream threads, never the request workers, and each user runs only so many at once.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

/// A client that asks for a download and then reads nothing: its socket's small receive
/// buffer fills and the server's producer blocks, as with a client on a stalled link.
class slow_reader {
 public:
  slow_reader(int port, const std::string& target, const std::string& token) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int small = 4096;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
    const auto request = "GET " + target +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                         "\r\n\r\n";
    sent_ = send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size());
  }
  ~slow_reader() {
    if (fd_ >= 0) close(fd_);
  }
  slow_reader(const slow_reader&) = delete;
  slow_reader& operator=(const slow_reader&) = delete;

  bool sent() const { return sent_; }
  /// Reads what has arrived without waiting, up to the end of the response head only.
  void peek_head() {
    char byte = 0;
    while (head_.find("\r\n\r\n") == std::string::npos) {
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, 0) != 1 || recv(fd_, &byte, 1, 0) != 1) return;
      head_ += byte;
    }
  }
  /// The response's status once its head arrived, else 0.
  int status() const {
    return head_.rfind("HTTP/1.1 ", 0) == 0 && head_.size() > 12 ? std::stoi(head_.substr(9, 3))
                                                                 : 0;
  }

 private:
  int fd_ = -1;
  bool sent_ = false;
  std::string head_;
};

/// 32 MiB of incompressible data in the workspace, so its export is far larger than what
/// socket buffers can hold.
void fill_with_random_data(const std::string& workspace_id) {
  ASSERT_TRUE(shell("docker exec berth-ws-" + workspace_id +
                    " sh -c 'head -c 32M /dev/urandom > /workspace/large'"));
}

/// A bearer token of `username` (password `<name>-password`), from a login through `client`.
std::string bearer_token_of(api_client& client, const std::string& username) {
  const auto login = client.call("POST", "/api/auth/login",
                                 R"({"username":")" + username + R"(","password":")" + username +
                                     R"(-password","token":true})");
  return text_of(login.json, "token");
}

class download_test : public api_test {
 protected:
  std::map<std::string, std::string> server_environment() const override {
    auto environment = api_test::server_environment();
    // Sixteen downloads of one user at once, so they outnumber the stream threads (8).
    environment["BERTH_MAX_DOWNLOADS_PER_USER"] = "16";
    return environment;
  }
};

TEST_F(download_test, sixteen_slow_export_readers_leave_health_and_the_api_answering) {
  const auto id = text_of(create_workspace(*alice_, "large", true), "id");
  fill_with_random_data(id);
  const auto token = bearer_token_of(*alice_, "alice");
  ASSERT_FALSE(token.empty());

  std::vector<std::unique_ptr<slow_reader>> readers;
  for (int i = 0; i < 16; ++i) {
    readers.push_back(
        std::make_unique<slow_reader>(server_->port(), "/api/workspaces/" + id + "/export", token));
    ASSERT_TRUE(readers.back()->sent());
  }
  // The attack is on: every stream thread is busy with a reader that does not read.
  const auto streaming = [&] {
    return std::count_if(readers.begin(), readers.end(), [](const auto& reader) {
      reader->peek_head();
      return reader->status() == 200;
    });
  };
  ASSERT_TRUE(wait_until([&] { return streaming() >= 8; }, 30s)) << streaming() << " streaming";

  std::vector<double> health_ms;
  for (int i = 0; i < 5; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const auto health = http_get(server_->port(), "/healthz");
    health_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
  }
  std::sort(health_ms.begin(), health_ms.end());
  EXPECT_LT(health_ms[2], 100.0) << "median /healthz time, ms";
  EXPECT_EQ(alice_->call("GET", "/api/workspaces/" + id).status, 200);
}

TEST_F(api_test, a_user_runs_only_two_downloads_at_once) {
  const auto id = text_of(create_workspace(*alice_, "large", true), "id");
  fill_with_random_data(id);
  const auto token = bearer_token_of(*alice_, "alice");
  slow_reader first(server_->port(), "/api/workspaces/" + id + "/export", token);
  slow_reader second(server_->port(), "/api/workspaces/" + id + "/export", token);
  ASSERT_TRUE(wait_until(
      [&] {
        first.peek_head();
        second.peek_head();
        return first.status() == 200 && second.status() == 200;
      },
      30s));
  const auto third = alice_->call("GET", "/api/workspaces/" + id + "/export");
  EXPECT_EQ(third.status, 429) << third.body.substr(0, 200);
  EXPECT_EQ(third.error_code(), "rate_limited");
  // Another user is not held back by alice's downloads.
  slow_reader other(server_->port(), "/api/workspaces/" + id + "/export",
                    bearer_token_of(*ada_, "ada"));
  EXPECT_TRUE(wait_until(
      [&] {
        other.peek_head();
        return other.status() != 0;
      },
      30s));
  EXPECT_EQ(other.status(), 200);
}

}  // namespace
}  // namespace berth::testing
