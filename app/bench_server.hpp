#pragma once

// What the end-to-end benchmarks (`bench api`, `bench sessions`) share: a real `berth serve`
// child process (this executable) and a blocking HTTP/1.1 client for its API.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

namespace berth::app {

/// A `berth serve` child with its standard error in a log file. Stopped with SIGTERM when
/// destroyed.
class bench_server {
 public:
  struct options {
    std::string data_dir;
    std::string log_path;
    /// `host:port`; port 0 lets the kernel choose.
    std::string listen = "127.0.0.1:0";
    /// Variables set in the child's environment on top of this process's.
    std::vector<std::pair<std::string, std::string>> environment;
  };

  /// Starts the child and waits (up to 60 s) until it logs that it serves; port() is 0 when
  /// it did not.
  explicit bench_server(const options& settings);
  ~bench_server();
  bench_server(const bench_server&) = delete;
  bench_server& operator=(const bench_server&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// The child's resident set (VmRSS in /proc/<pid>/status), in KiB; 0 when unknown.
  std::int64_t rss_kib() const;
  /// SIGKILL, as a crash would: nothing is flushed or closed cleanly.
  void kill_hard();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

/// A keep-alive HTTP/1.1 client on 127.0.0.1. It keeps the session cookie of the last login
/// and sends it, or a bearer token once one is set.
class bench_http_client {
 public:
  explicit bench_http_client(int port);

  /// The status and body of one request (a JSON body when `body` is not empty). Throws
  /// boost::system::system_error when the connection fails.
  std::pair<int, std::string> call(boost::beast::http::verb verb, const std::string& target,
                                   const std::string& body = {});
  /// Sends `Authorization: Bearer <token>` from now on.
  void set_bearer_token(std::string token) { bearer_ = std::move(token); }

 private:
  void connect();

  int port_;
  boost::asio::io_context context_;
  boost::beast::tcp_stream stream_{context_};
  boost::beast::flat_buffer buffer_;
  std::string cookie_;
  std::string bearer_;
};

}  // namespace berth::app
