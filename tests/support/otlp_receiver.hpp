#pragma once

// A fake OTLP/HTTP collector for tests: a plain HTTP/1.1 listener on 127.0.0.1 (port chosen
// by the system) that records every request and answers with scripted statuses (200 `{}`
// once the script is used up). No OTLP receiver ships in Debian or npm.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace berth::testing {

class otlp_receiver {
 public:
  struct received {
    std::string method, path;
    std::vector<std::pair<std::string, std::string>> headers;  ///< names lowercased
    std::string body;
    std::string header(const std::string& name) const;
  };
  struct answer {
    int status = 200;
    std::string retry_after;  ///< sent as Retry-After when not empty
  };

  otlp_receiver();
  ~otlp_receiver();
  otlp_receiver(const otlp_receiver&) = delete;
  otlp_receiver& operator=(const otlp_receiver&) = delete;

  std::uint16_t port() const { return port_; }
  /// `http://127.0.0.1:<port>`: the value of OTEL_EXPORTER_OTLP_ENDPOINT.
  std::string endpoint() const;
  /// The next requests get these answers, in order.
  void script(std::vector<answer> answers);
  /// Everything received so far.
  std::vector<received> requests() const;
  /// Waits until at least `count` requests arrived; false on timeout.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void serve();
  void handle(int client);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<received> requests_;
  std::deque<answer> script_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::testing
