#pragma once

// The HTTP client of the end-to-end benchmarks (`bench api`, `bench sessions`): keep-alive, so
// a measured request does not pay for a new connection.

#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

namespace berth::bench {

/// A keep-alive HTTP/1.1 client on 127.0.0.1. It keeps the session cookie of the last login
/// and sends it, or a bearer token once one is set.
class http_client {
 public:
  explicit http_client(int port);

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

}  // namespace berth::bench
