#include "testing/local_collector.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace berth::testing {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool read_more(int client, std::string& buffer) {
  pollfd ready{client, POLLIN, 0};
  if (poll(&ready, 1, 5000) <= 0) return false;
  char chunk[65536];
  const auto got = ::read(client, chunk, sizeof chunk);
  if (got <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(got));
  return true;
}

void write_all(int client, const std::string& text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const auto n = ::send(client, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string local_collector::received::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

local_collector::local_collector(bool keep_requests) : keep_requests_(keep_requests) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("local_collector: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

local_collector::~local_collector() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

std::string local_collector::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void local_collector::script(std::vector<answer> answers) {
  std::lock_guard lock(mutex_);
  script_.assign(answers.begin(), answers.end());
}

std::size_t local_collector::request_count() const {
  std::lock_guard lock(mutex_);
  return request_count_;
}

std::vector<local_collector::received> local_collector::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool local_collector::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      if (request_count_ >= count) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void local_collector::serve() {
  for (;;) {
    pollfd ready{listener_, POLLIN, 0};
    const int polled = poll(&ready, 1, 100);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (polled <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handle(client);
    ::close(client);
  }
}

// One request per connection is all an exporter needs; keep-alive requests on the same
// connection are served in turn until the client closes it.
void local_collector::handle(int client) {
  std::string buffer;
  for (;;) {
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(client, buffer)) return;
    }
    received request;
    std::size_t content_length = 0;
    const std::string head = buffer.substr(0, head_end);
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto first_space = request_line.find(' ');
    const auto second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.path = request_line.substr(first_space + 1, second_space - first_space - 1);
    while (line_end != std::string::npos && line_end < head.size()) {
      const auto next = head.find("\r\n", line_end + 2);
      const auto line = head.substr(
          line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto name = lowercase(line.substr(0, colon));
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (name == "content-length") content_length = std::stoul(value);
        request.headers.emplace_back(std::move(name), std::move(value));
      }
      line_end = next;
    }
    buffer.erase(0, head_end + 4);
    while (buffer.size() < content_length) {
      if (!read_more(client, buffer)) return;
    }
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    answer reply;
    {
      std::lock_guard lock(mutex_);
      ++request_count_;
      if (keep_requests_) requests_.push_back(std::move(request));
      if (!script_.empty()) {
        reply = script_.front();
        script_.pop_front();
      }
    }
    const std::string body = reply.status == 200 ? "{}" : "{\"code\":14}";
    std::string response =
        "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n" +
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    if (!reply.retry_after.empty()) response += "Retry-After: " + reply.retry_after + "\r\n";
    response += "\r\n" + body;
    write_all(client, response);
  }
}

}  // namespace berth::testing
