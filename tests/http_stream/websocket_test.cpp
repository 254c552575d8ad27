#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/server.hpp"
#include "testing/process.hpp"
#include "testing/ws_client.hpp"

namespace berth::http {
namespace {

using namespace std::chrono_literals;
using berth::testing::ws_client;

/// Generous for a loaded machine; a passing test never waits this long.
constexpr auto deadline = 10s;

/// What the server's WebSocket handlers saw, for the test thread to wait on.
struct handler_log {
  std::mutex mutex;
  std::condition_variable changed;
  int opens = 0;
  int closes = 0;
  int messages = 0;
  std::optional<bool> send_after_close;        ///< what `send` returned after the server's close
  std::shared_ptr<websocket_channel> channel;  ///< the newest connection's, for the test thread

  /// Waits until `done` holds (checked under the lock); false after `timeout`.
  bool wait(const std::function<bool()>& done, std::chrono::milliseconds timeout = deadline) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, done);
  }

  template <typename Change>
  void record(Change change) {
    std::lock_guard lock(mutex);
    change();
    changed.notify_all();
  }
};

/// A server in this process: `/echo` upgrades and sends every message back as it came (the
/// text `server-close` instead makes the server send a, b, c and close with 4000; `flood`
/// makes it queue more than the queue limit at once); `/refuse` declines with 403.
class websocket_server : public ::testing::Test {
 protected:
  static constexpr std::size_t message_limit = 4096;
  static constexpr std::size_t queue_limit = 64 * 1024;

  void SetUp() override { start(30); }

  void TearDown() override {
    if (server_) stop_server();
  }

  void start(int idle_timeout_seconds) {
    server::options options;
    options.listen = "127.0.0.1:0";
    options.websocket_message_limit = message_limit;
    options.websocket_queue_limit = queue_limit;
    options.websocket_idle_timeout_seconds = idle_timeout_seconds;
    server_.emplace(options, [this](request req, std::function<void(response)> respond) {
      respond(handle(req));
    });
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error();
    port_ = *port;
    runner_ = std::async(std::launch::async, [this] { server_->run_until_signalled(); });
  }

  void stop_server() {
    server_->stop();
    ASSERT_EQ(runner_.wait_for(deadline), std::future_status::ready) << "the server hung";
    server_.reset();
  }

  response handle(const request& req) {
    if (req.path() == "/refuse") return error_response(403, "forbidden", "not yours");
    if (req.path() != "/echo") return error_response(404, "not_found", "no such path");
    response res;
    res.websocket = std::make_shared<websocket_handlers>();
    // The channel lives in state the callbacks share, as a real handler would keep it.
    auto channel = std::make_shared<std::shared_ptr<websocket_channel>>();
    res.websocket->on_open = [this, channel](std::shared_ptr<websocket_channel> opened) {
      *channel = std::move(opened);
      log_.record([&] {
        ++log_.opens;
        log_.channel = *channel;
      });
    };
    res.websocket->on_message = [this, channel](std::string_view message, bool binary) {
      log_.record([&] { ++log_.messages; });
      if (!binary && message == "server-close") {
        for (const auto* text : {"a", "b", "c"})
          (*channel)->send(text, false);
        (*channel)->close(4000, "bye");
        const bool accepted = (*channel)->send("late", false);
        log_.record([&] { log_.send_after_close = accepted; });
      } else if (!binary && message == "hold") {
        (*channel)->hold_reading(true);
      } else if (!binary && message == "flood") {
        for (int i = 0; i < 100; ++i)
          (*channel)->send(std::string(1024, 'x'), true);
      } else {
        (*channel)->send(std::string(message), binary);
      }
    };
    res.websocket->on_close = [this] { log_.record([&] { ++log_.closes; }); };
    return res;
  }

  ws_client connect_echo() {
    auto client = ws_client::connect(port_, "/echo");
    EXPECT_TRUE(client) << client.error().status << " " << client.error().error;
    return std::move(client).value();  // throws, failing the test, when refused
  }

  std::optional<server> server_;
  std::uint16_t port_ = 0;
  std::future<void> runner_;
  handler_log log_;
};

/// Message `i` of the ordering test: odd ones are binary and carry NUL and high bytes, which a
/// text path or a C string would mangle.
std::string numbered_message(int i) {
  if (i % 2 == 1) return std::string{'\0', '\xff', '\x01', '\0'} + std::to_string(i);
  return "message " + std::to_string(i);
}

/// A raw socket that performs the upgrade by hand and then never reads again: a peer whose
/// machine vanished, as far as the server can tell.
class silent_peer {
 public:
  explicit silent_peer(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~silent_peer() { ::close(fd_); }
  silent_peer(const silent_peer&) = delete;
  silent_peer& operator=(const silent_peer&) = delete;

  /// Sends the upgrade request (the key is RFC 6455's example) and returns the response head.
  std::string upgrade(std::string_view target) {
    const auto request = "GET " + std::string(target) +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      return {};
    }
    // Byte by byte, so that nothing after the head (a ping, say) is taken off the socket.
    std::string head;
    char byte = 0;
    while (!head.ends_with("\r\n\r\n") && ::recv(fd_, &byte, 1, 0) == 1)
      head += byte;
    return head;
  }

  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

TEST_F(websocket_server, echoes_a_thousand_messages_in_order_keeping_text_and_binary) {
  auto client = connect_echo();
  for (int i = 0; i < 1000; ++i) {
    const auto message = numbered_message(i);
    ASSERT_TRUE(i % 2 == 1 ? client.send_binary(message) : client.send_text(message));
  }
  for (int i = 0; i < 1000; ++i) {
    auto message = client.read(deadline);
    ASSERT_TRUE(message) << "message " << i << " never came";
    ASSERT_EQ(message->data, numbered_message(i));
    ASSERT_EQ(message->binary, i % 2 == 1) << "message " << i;
  }
}

TEST_F(websocket_server, passes_the_handlers_refusal_to_the_client_and_never_opens) {
  auto client = ws_client::connect(port_, "/refuse", {{"Origin", "http://127.0.0.1"}});
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().status, 403);
  EXPECT_EQ(client.error().body, R"({"error":{"code":"forbidden","message":"not yours"}})");
  stop_server();  // every session has ended: a late on_open would have run by now
  EXPECT_EQ(log_.opens, 0);
}

TEST_F(websocket_server, answers_a_plain_get_to_an_upgrade_path_with_400) {
  auto reply = berth::testing::http_get(port_, "/echo");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_NE(reply->body.find(R"("code":"bad_request")"), std::string::npos) << reply->body;
  EXPECT_NE(reply->body.find("WebSocket upgrade expected"), std::string::npos) << reply->body;
}

TEST_F(websocket_server, closes_with_1009_when_a_message_exceeds_the_limit) {
  auto client = connect_echo();
  ASSERT_TRUE(client.send_text("fits"));
  ASSERT_TRUE(client.read(deadline));
  client.send_binary(std::string(message_limit + 1, 'x'));  // may fail once the server closed
  EXPECT_FALSE(client.read(deadline));
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 1009);
  EXPECT_TRUE(log_.wait([&] { return log_.closes == 1; }));
  EXPECT_EQ(log_.messages, 1);
}

TEST_F(websocket_server, runs_on_close_exactly_once_when_the_client_closes) {
  auto client = connect_echo();
  ASSERT_TRUE(client.send_text("hello"));
  ASSERT_TRUE(client.read(deadline));
  client.close();
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 1000);
  EXPECT_TRUE(log_.wait([&] { return log_.closes == 1; }));
  stop_server();  // every session has ended: a second on_close would have run by now
  EXPECT_EQ(log_.opens, 1);
  EXPECT_EQ(log_.closes, 1);
}

TEST_F(websocket_server, delivers_queued_messages_before_the_servers_close_code) {
  auto client = connect_echo();
  ASSERT_TRUE(client.send_text("server-close"));
  for (const auto* expected : {"a", "b", "c"}) {
    auto message = client.read(deadline);
    ASSERT_TRUE(message) << expected << " never came";
    EXPECT_EQ(message->data, expected);
  }
  EXPECT_FALSE(client.read(deadline)) << "the message sent after close arrived";
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 4000);
  EXPECT_TRUE(log_.wait([&] { return log_.closes == 1; }));
  EXPECT_EQ(log_.send_after_close, false);
}

TEST_F(websocket_server, closes_a_client_that_lets_too_much_queue_up_with_1008) {
  auto client = connect_echo();
  // All sends happen in one callback on the connection's strand, so no write drains the queue
  // in between: the 65th kilobyte goes over the 64 KiB limit.
  ASSERT_TRUE(client.send_text("flood"));
  EXPECT_FALSE(client.read(deadline)) << "a message queued after the limit arrived";
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 1008);
  EXPECT_TRUE(log_.wait([&] { return log_.closes == 1; }));
}

TEST_F(websocket_server, holds_back_a_clients_messages_until_released_in_order) {
  auto client = connect_echo();
  ASSERT_TRUE(client.send_text("hold"));
  ASSERT_TRUE(log_.wait([&] { return log_.messages == 1; }));
  for (const auto* text : {"one", "two", "three"})
    ASSERT_TRUE(client.send_text(text));
  // A negative can only be shown by waiting: a generous moment in which an unheld connection
  // would have echoed all three (the echo test moves a thousand messages in less).
  EXPECT_FALSE(log_.wait([&] { return log_.messages > 1; }, 500ms))
      << "a message was read while reading was held";
  std::shared_ptr<websocket_channel> channel;
  log_.record([&] { channel = log_.channel; });
  channel->hold_reading(false);
  for (const auto* expected : {"one", "two", "three"}) {
    auto message = client.read(deadline);
    ASSERT_TRUE(message) << expected << " never came";
    EXPECT_EQ(message->data, expected);
  }
}

TEST_F(websocket_server, completes_a_close_while_reading_is_held) {
  auto client = connect_echo();
  ASSERT_TRUE(client.send_text("hold"));
  ASSERT_TRUE(log_.wait([&] { return log_.messages == 1; }));
  std::shared_ptr<websocket_channel> channel;
  log_.record([&] { channel = log_.channel; });
  channel->close(4000, "bye");
  EXPECT_FALSE(client.read(deadline));
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 4000);
  EXPECT_TRUE(log_.wait([&] { return log_.closes == 1; })) << "the close never completed";
}

TEST_F(websocket_server, stop_closes_open_websockets_and_returns_promptly) {
  auto client = connect_echo();
  ASSERT_TRUE(client.send_text("hello"));
  ASSERT_TRUE(client.read(deadline));
  const auto asked = std::chrono::steady_clock::now();
  server_->stop();
  ASSERT_EQ(runner_.wait_for(deadline), std::future_status::ready) << "run_until_signalled hung";
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s);
  EXPECT_FALSE(client.read(deadline));
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 1001);
  EXPECT_EQ(log_.closes, 1);
  server_.reset();
}

TEST_F(websocket_server, closes_a_silent_peer_after_the_idle_timeout) {
  stop_server();
  start(2);
  silent_peer peer(port_);
  ASSERT_TRUE(peer.connected());
  const auto head = peer.upgrade("/echo");
  ASSERT_TRUE(head.starts_with("HTTP/1.1 101")) << head;
  EXPECT_NE(head.find("Server: berth\r\n"), std::string::npos) << head;
  ASSERT_TRUE(log_.wait([&] { return log_.opens == 1; }));
  const auto opened = std::chrono::steady_clock::now();
  // A ping goes out after 1 s; unanswered, the connection closes after 2 s.
  ASSERT_TRUE(log_.wait([&] { return log_.closes == 1; }));
  const auto waited = std::chrono::steady_clock::now() - opened;
  EXPECT_GT(waited, 1500ms);
  EXPECT_LT(waited, 4s);
}

TEST_F(websocket_server, stop_cuts_a_peer_that_never_answers_the_close_frame) {
  silent_peer peer(port_);
  ASSERT_TRUE(peer.connected());
  ASSERT_TRUE(peer.upgrade("/echo").starts_with("HTTP/1.1 101"));
  ASSERT_TRUE(log_.wait([&] { return log_.opens == 1; }));
  const auto asked = std::chrono::steady_clock::now();
  server_->stop();
  // The close handshake would wait 30 s for the peer; shutdown gives it 2 s.
  ASSERT_EQ(runner_.wait_for(deadline), std::future_status::ready) << "run_until_signalled hung";
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 4s);
  EXPECT_EQ(log_.closes, 1);
  server_.reset();
}

}  // namespace
}  // namespace berth::http
