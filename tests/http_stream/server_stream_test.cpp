#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "http/server.hpp"

namespace berth::http {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t megabyte = 1024 * 1024;

/// Byte `offset` of every streamed test body: position-dependent, so a lost, repeated or
/// reordered piece shows up as a mismatch.
char pattern_byte(std::uint64_t offset) {
  return static_cast<char>((offset * 131 + offset / 4096) % 251);
}

/// A plain blocking HTTP/1.1 client over one socket, so tests control when and how much it
/// reads and can send several requests on one connection.
class raw_client {
 public:
  /// Connects to 127.0.0.1:port; a non-zero `receive_buffer` shrinks the kernel's receive
  /// buffer so an idle client soon stops accepting data.
  explicit raw_client(std::uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~raw_client() { close(); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  /// Reads a status line and headers; returns the header block (status line included).
  std::optional<std::string> read_head() {
    std::string head;
    while (true) {
      auto line = read_line();
      if (!line) return std::nullopt;
      if (line->empty()) return head;
      head += *line + "\n";
    }
  }

  /// Reads a chunked body (RFC 9112 section 7.1), passing each piece to `on_data` until it
  /// returns false (a later call goes on from there); true when the last chunk arrived.
  bool read_chunked_body(const std::function<bool(std::string_view)>& on_data) {
    while (true) {
      if (chunk_left_ == 0) {
        auto size_line = read_line();
        if (!size_line) return false;
        chunk_left_ = std::stoull(*size_line, nullptr, 16);
        if (chunk_left_ == 0) return read_line() == std::string();  // no trailers: final CRLF
      }
      while (chunk_left_ > 0) {
        if (buffer_.empty() && !fill()) return false;
        const auto take = std::min<std::uint64_t>(chunk_left_, buffer_.size());
        const bool more = on_data(std::string_view(buffer_).substr(0, take));
        buffer_.erase(0, take);
        chunk_left_ -= take;
        if (chunk_left_ == 0 && read_line() != std::string()) return false;  // chunk's CRLF
        if (!more) return false;
      }
    }
  }

  /// Reads a body of the length the head announced.
  std::optional<std::string> read_sized_body(const std::string& head) {
    const auto at = head.find("Content-Length: ");
    if (at == std::string::npos) return std::nullopt;
    const auto length = std::stoull(head.substr(at + 16));
    while (buffer_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    auto body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return body;
  }

  /// Bytes the client took off the socket so far (chunk framing included).
  std::uint64_t received() const { return received_; }

 private:
  std::optional<std::string> read_line() {
    while (true) {
      const auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        auto line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
      }
      if (!fill()) return std::nullopt;
    }
  }

  bool fill() {
    char data[16 * 1024];
    const auto got = ::recv(fd_, data, sizeof data, 0);
    if (got <= 0) return false;
    buffer_.append(data, static_cast<std::size_t>(got));
    received_ += static_cast<std::uint64_t>(got);
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
  std::uint64_t received_ = 0;
  std::uint64_t chunk_left_ = 0;  ///< bytes of the current chunk not yet passed on
};

std::string get(std::string_view target) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

/// The kernel's largest automatic TCP send buffer: how far a sender may legitimately be ahead
/// of a reader besides what Berth itself queues.
std::uint64_t kernel_send_buffer_max() {
  std::ifstream file("/proc/sys/net/ipv4/tcp_wmem");
  std::uint64_t minimum = 0, initial = 0, maximum = 0;
  file >> minimum >> initial >> maximum;
  return maximum;
}

/// A server whose handler streams test bodies and records what its producers saw.
class streamed_responses : public ::testing::Test {
 protected:
  void SetUp() override {
    server::options options;
    options.listen = "127.0.0.1:0";
    server_.emplace(options, [this](request req, std::function<void(response)> respond) {
      handle(std::move(req), respond);
    });
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error();
    port_ = *port;
    runner_ = std::async(std::launch::async, [this] { server_->run_until_signalled(); });
  }

  void TearDown() override {
    server_->stop();
    runner_.wait();
    server_.reset();
  }

  /// `/numbers/N`: N pattern bytes in writes of an odd size (so the server splits them);
  /// `/forever`: pattern bytes until a write fails; anything else: a plain body.
  void handle(request req, const std::function<void(response)>& respond) {
    response res;
    res.content_type = "application/octet-stream";
    res.headers.emplace_back("X-Berth-Test", "streamed");
    if (req.path().starts_with("/numbers/")) {
      const auto total = std::stoull(req.path().substr(9));
      res.stream = [this, total](const auto& write) { produce(total, write); };
    } else if (req.path() == "/forever") {
      res.stream = [this](const auto& write) { produce(UINT64_MAX, write); };
    } else {
      res.content_type = "text/plain";
      res.body = "plain";
    }
    respond(std::move(res));
  }

  void produce(std::uint64_t total, const std::function<bool(std::string_view)>& write) {
    ++producers_started_;
    constexpr std::uint64_t write_size = 100'003;
    std::string piece;
    bool accepted = true;
    for (std::uint64_t offset = 0; offset < total && accepted;) {
      const auto size = std::min(write_size, total - offset);
      piece.resize(size);
      for (std::uint64_t i = 0; i < size; ++i)
        piece[i] = pattern_byte(offset + i);
      in_write_ = true;
      accepted = write(piece);
      in_write_ = false;
      offset += size;
      if (accepted) produced_ = offset;
    }
    write_refused_ = !accepted;
    producer_done_.set_value();
  }

  /// Waits until the producer sits in `write` without progress, i.e. back-pressure holds it.
  bool wait_for_blocked_producer() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::uint64_t last = produced_;
    int still = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      const std::uint64_t now = produced_;
      still = (in_write_ && now == last) ? still + 1 : 0;
      if (still >= 10) return true;
      last = now;
    }
    return false;
  }

  /// Reads a chunked body and checks every byte against the pattern; returns the byte count.
  static std::uint64_t read_pattern_body(raw_client& client, bool& complete) {
    std::uint64_t offset = 0;
    bool in_order = true;
    complete = client.read_chunked_body([&](std::string_view data) {
      for (const char byte : data)
        in_order = in_order && byte == pattern_byte(offset++);
      return in_order;
    });
    return offset;
  }

  std::optional<server> server_;
  std::uint16_t port_ = 0;
  std::future<void> runner_;
  std::atomic<int> producers_started_{0};
  std::atomic<std::uint64_t> produced_{0};
  std::atomic<bool> in_write_{false};
  std::atomic<bool> write_refused_{false};
  std::promise<void> producer_done_;
};

TEST_F(streamed_responses, deliver_a_50_megabyte_body_complete_and_in_order) {
  raw_client client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get("/numbers/" + std::to_string(50 * megabyte))));
  auto head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("HTTP/1.1 200"), std::string::npos) << *head;
  EXPECT_NE(head->find("Transfer-Encoding: chunked"), std::string::npos) << *head;
  EXPECT_NE(head->find("Content-Type: application/octet-stream"), std::string::npos) << *head;
  EXPECT_NE(head->find("X-Berth-Test: streamed"), std::string::npos) << *head;
  bool complete = false;
  EXPECT_EQ(read_pattern_body(client, complete), 50 * megabyte);
  EXPECT_TRUE(complete);
}

TEST_F(streamed_responses, keep_the_connection_open_for_the_next_request) {
  raw_client client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get("/numbers/300000")));
  ASSERT_TRUE(client.read_head());
  bool complete = false;
  EXPECT_EQ(read_pattern_body(client, complete), 300000u);
  ASSERT_TRUE(complete);

  ASSERT_TRUE(client.send(get("/plain")));
  auto head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(client.read_sized_body(*head), "plain");
}

TEST_F(streamed_responses, answer_head_with_headers_only_and_never_run_the_producer) {
  raw_client client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send("HEAD /numbers/1000 HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("HTTP/1.1 200"), std::string::npos) << *head;
  EXPECT_NE(head->find("X-Berth-Test: streamed"), std::string::npos) << *head;

  // Had any body followed the HEAD response, it would now be read as the next status line.
  ASSERT_TRUE(client.send(get("/plain")));
  auto next = client.read_head();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->rfind("HTTP/1.1 200", 0), 0u) << *next;
  EXPECT_EQ(client.read_sized_body(*next), "plain");
  EXPECT_EQ(producers_started_, 0);
}

TEST_F(streamed_responses, answer_head_of_a_sized_body_with_its_length_and_no_body) {
  raw_client client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send("HEAD /plain HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("Content-Length: 5"), std::string::npos) << *head;

  // Had the body followed, "plain" would now be read as the next status line.
  ASSERT_TRUE(client.send(get("/plain")));
  auto next = client.read_head();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->rfind("HTTP/1.1 200", 0), 0u) << *next;
  EXPECT_EQ(client.read_sized_body(*next), "plain");
}

TEST_F(streamed_responses, tell_the_producer_when_the_client_goes_away) {
  auto done = producer_done_.get_future();
  {
    raw_client client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(get("/forever")));
    ASSERT_TRUE(client.read_head());
    std::uint64_t seen = 0;
    client.read_chunked_body([&](std::string_view data) {
      seen += data.size();
      return seen < megabyte;
    });
    ASSERT_GE(seen, megabyte);
  }  // closing with unread data resets the connection
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(write_refused_);

  raw_client other(port_);
  ASSERT_TRUE(other.connected());
  ASSERT_TRUE(other.send(get("/plain")));
  auto head = other.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(other.read_sized_body(*head), "plain");
}

TEST_F(streamed_responses, hold_the_producer_back_while_the_client_reads_slowly) {
  const auto total = 64 * megabyte;
  raw_client client(port_, 64 * 1024);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get("/numbers/" + std::to_string(total))));
  ASSERT_TRUE(client.read_head());
  std::uint64_t offset = 0;
  bool in_order = true;
  auto check = [&](std::string_view data) {
    for (const char byte : data)
      in_order = in_order && byte == pattern_byte(offset++);
    return in_order && offset < megabyte;
  };
  client.read_chunked_body(check);
  ASSERT_TRUE(in_order);

  // The client pauses: the producer may only get as far as the kernel's socket buffers and
  // Berth's small queue allow, a few megabytes, never the whole 64.
  ASSERT_TRUE(wait_for_blocked_producer()) << "the producer never blocked";
  const auto ahead =
      static_cast<std::int64_t>(produced_) - static_cast<std::int64_t>(client.received());
  const auto allowed = static_cast<std::int64_t>(kernel_send_buffer_max() + megabyte);
  EXPECT_LT(ahead, allowed) << "produced " << produced_ << ", client read " << client.received();
  EXPECT_LT(produced_, total);

  // Reading on, the rest arrives intact.
  auto rest = [&](std::string_view data) {
    for (const char byte : data)
      in_order = in_order && byte == pattern_byte(offset++);
    return in_order;
  };
  EXPECT_TRUE(client.read_chunked_body(rest));
  EXPECT_TRUE(in_order);
  EXPECT_EQ(offset, total);
}

TEST_F(streamed_responses, stop_promptly_while_a_producer_waits_for_a_stalled_client) {
  auto done = producer_done_.get_future();
  raw_client client(port_, 64 * 1024);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get("/forever")));
  ASSERT_TRUE(wait_for_blocked_producer()) << "the producer never blocked";

  const auto asked = std::chrono::steady_clock::now();
  server_->stop();
  ASSERT_EQ(runner_.wait_for(5s), std::future_status::ready) << "run_until_signalled hung";
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready) << "the producer is still blocked";
  EXPECT_TRUE(write_refused_);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
}

}  // namespace
}  // namespace berth::http
