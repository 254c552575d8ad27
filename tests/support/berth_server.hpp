#pragma once

// A real `berth serve` process for API tests (testing/server_process.hpp), and a small HTTP
// client that keeps the session cookie. The server gets its own database, data folder and
// container instance.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "testing/process.hpp"
#include "testing/server_process.hpp"

namespace berth::testing {

class berth_server {
 public:
  /// Not started yet; `database_url` is the test's scratch database.
  berth_server(std::string database_url, std::string data_dir,
               std::map<std::string, std::string> environment = {});
  ~berth_server();

  /// Starts `berth serve` on a free port; true once it serves (the test fails otherwise).
  bool start();
  /// `kill -9`, then waits for the process to be gone.
  void kill_hard();
  int port() const { return port_; }
  const std::string& instance() const { return instance_; }
  /// The server's resident set (VmRSS), in KiB; 0 when not running.
  std::int64_t rss_kib() const { return process_ ? process_->rss_kib() : 0; }
  /// Everything the server logged so far.
  std::string output() const;

 private:
  std::string database_url_, data_dir_, instance_;
  std::map<std::string, std::string> environment_;
  std::unique_ptr<server_process> process_;
  int port_ = 0;
};

/// A reply with its JSON body parsed (null when the body is not JSON).
struct api_reply {
  int status = 0;
  std::string headers;
  std::string body;
  boost::json::value json;
  /// The value of a response header (case-insensitive name), or empty.
  std::string header(const std::string& name) const;
  /// `json.error.code`, or empty.
  std::string error_code() const;
};

/// HTTP/1.1 client for one user: logs in once and sends the cookie with every call.
class api_client {
 public:
  explicit api_client(const berth_server& server) : server_(server) {}

  /// Logs in; true on 200 (the cookie is kept).
  bool login(const std::string& username, const std::string& password);
  /// Sends `method path` with `body` (JSON when not empty, unless `extra_headers` — lines
  /// ending in CRLF — name another Content-Type) and the cookie, if any.
  api_reply call(const std::string& method, const std::string& path, const std::string& body = "",
                 const std::string& extra_headers = "") const;
  void use_bearer(std::string token) { bearer_ = std::move(token); }
  /// Connects from this loopback address (e.g. `127.0.0.2`) from now on.
  void connect_from(std::string address) { source_address_ = std::move(address); }

 private:
  const berth_server& server_;
  std::string cookie_;
  std::string bearer_;
  std::string source_address_;
};

/// Decodes an HTTP/1.1 chunked body; nothing when malformed.
std::optional<std::string> decode_chunked(const std::string& body);

/// Runs a shell command; its standard output, or nothing when it exits non-zero.
std::optional<std::string> shell(const std::string& command);

}  // namespace berth::testing
