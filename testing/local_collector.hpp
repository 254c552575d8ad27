#pragma once

// A minimal OTLP/HTTP collector for tests and the overhead benchmark: a plain HTTP/1.1 listener on
// 127.0.0.1 (port chosen by the system) that records every request and answers with scripted
// statuses (200 `{}` once the script is used up). No OTLP receiver ships in Debian or npm.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace berth::testing {

class local_collector {
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

  /// `keep_requests` false: only count them (a benchmark's long run stays small).
  explicit local_collector(bool keep_requests = true);
  ~local_collector();
  local_collector(const local_collector&) = delete;
  local_collector& operator=(const local_collector&) = delete;

  std::uint16_t port() const { return port_; }
  /// `http://127.0.0.1:<port>`: the value of OTEL_EXPORTER_OTLP_ENDPOINT.
  std::string endpoint() const;
  /// The next requests get these answers, in order.
  void script(std::vector<answer> answers);
  /// How many requests arrived.
  std::size_t request_count() const;
  /// Everything received so far (nothing when not keeping requests).
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
  bool keep_requests_ = true;
  std::size_t request_count_ = 0;
  std::deque<answer> script_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::testing
