#include "docker/error.hpp"

#include "docker/json_read.hpp"

#include <ostream>

namespace berth::docker {

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::not_found:
      return "not_found";
    case error_code::conflict:
      return "conflict";
    case error_code::not_modified:
      return "not_modified";
    case error_code::bad_request:
      return "bad_request";
    case error_code::daemon_unavailable:
      return "daemon_unavailable";
    case error_code::timeout:
      return "timeout";
    case error_code::protocol:
      return "protocol";
    case error_code::server_error:
      return "server_error";
    case error_code::unsupported_version:
      return "unsupported_version";
    case error_code::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, error_code code) {
  return out << to_string(code);
}

std::string describe(const error& failure) {
  std::string text{to_string(failure.code)};
  if (failure.http_status != 0) text += " (" + std::to_string(failure.http_status) + ")";
  if (!failure.message.empty()) text += ": " + failure.message;
  return text;
}

error_code code_for_status(int http_status) {
  if (http_status == 304) return error_code::not_modified;
  if (http_status == 404) return error_code::not_found;
  if (http_status == 409) return error_code::conflict;
  if (http_status >= 400 && http_status < 500) return error_code::bad_request;
  if (http_status >= 500 && http_status < 600) return error_code::server_error;
  // Anything else (1xx, unexpected 2xx/3xx) means the exchange did not go as the API says.
  return error_code::protocol;
}

error error_from_reply(int http_status, std::string_view body) {
  error failure{code_for_status(http_status), http_status, {}};
  auto message = parse_error_message(body);
  if (message) {
    failure.message = std::move(*message);
  } else {
    // Proxies and very old daemons answer with plain text; keep a bounded prefix of it.
    constexpr std::size_t max_plain_message = 512;
    failure.message = std::string{body.substr(0, max_plain_message)};
    while (!failure.message.empty() &&
           (failure.message.back() == '\n' || failure.message.back() == '\r')) {
      failure.message.pop_back();
    }
  }
  if (failure.message.empty()) failure.message = "HTTP status " + std::to_string(http_status);
  return failure;
}

}  // namespace berth::docker
