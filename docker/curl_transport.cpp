#include "docker/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace berth::docker {
namespace {

// Error bodies are short JSON; a misbehaving peer must not make us buffer without bound.
constexpr std::size_t max_buffered_error_body = 64 * 1024;
// Larger than libcurl's 16 KiB default: archive transfers move hundreds of megabytes.
constexpr long transfer_buffer_size = 64 * 1024;
// How long curl_multi_poll may block before we look at the stop token again; a stop request
// also wakes it at once, so this only bounds the cost of a missed wake-up.
constexpr int poll_interval_ms = 1000;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with libcurl's C callbacks during one exchange.
struct exchange {
  const http_request* request = nullptr;
  CURL* easy = nullptr;
  http_reply reply;
  bool sink_refused = false;
  bool source_aborted = false;
  int status_seen = 0;
};

bool is_success(long status) {
  return status >= 200 && status < 300;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& state = *static_cast<exchange*>(user);
  std::size_t length = size * count;
  if (state.status_seen == 0) {
    long status = 0;
    curl_easy_getinfo(state.easy, CURLINFO_RESPONSE_CODE, &status);
    state.status_seen = static_cast<int>(status);
  }
  if (state.request->download && is_success(state.status_seen)) {
    if (!state.request->download(std::string_view{data, length})) {
      state.sink_refused = true;
      return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    return length;
  }
  if (state.request->download && state.reply.body.size() + length > max_buffered_error_body) {
    return length;  // keep the start of an oversized error body, drop the rest
  }
  state.reply.body.append(data, length);
  return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& state = *static_cast<exchange*>(user);
  std::string_view line{data, size * count};
  constexpr std::string_view name = "api-version:";
  if (line.size() > name.size() &&
      std::equal(name.begin(), name.end(), line.begin(), [](char expected, char actual) {
        return expected == std::tolower(static_cast<unsigned char>(actual));
      })) {
    auto value = line.substr(name.size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    state.reply.api_version = std::string{value};
  }
  return size * count;
}

std::size_t on_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& state = *static_cast<exchange*>(user);
  auto produced = state.request->upload(std::span<char>{buffer, size * count});
  if (!produced) {
    state.source_aborted = true;
    return CURL_READFUNC_ABORT;
  }
  return std::min(*produced, size * count);
}

}  // namespace

struct curl_transport::handles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;

  ~handles() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
};

error error_from_curl(int curl_code, std::string_view detail) {
  auto code = static_cast<CURLcode>(curl_code);
  std::string message = curl_easy_strerror(code);
  if (!detail.empty()) message += ": " + std::string{detail};
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return error{error_code::timeout, 0, message};
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      return error{error_code::daemon_unavailable, 0, message};
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return error{error_code::cancelled, 0, message};
    default:
      return error{error_code::protocol, 0, message};
  }
}

tl::expected<std::unique_ptr<curl_transport>, error> curl_transport::create(
    docker_host host, std::chrono::milliseconds connect_timeout) {
  global_init_once();
  auto curl = std::make_unique<handles>();
  curl->easy = curl_easy_init();
  curl->multi = curl_multi_init();
  if (curl->easy == nullptr || curl->multi == nullptr) {
    return tl::unexpected(error{error_code::daemon_unavailable, 0, "cannot initialise libcurl"});
  }
  return std::unique_ptr<curl_transport>(
      new curl_transport(std::move(host), connect_timeout, std::move(curl)));
}

curl_transport::curl_transport(docker_host host, std::chrono::milliseconds connect_timeout,
                               std::unique_ptr<handles> curl)
    : host_(std::move(host)),
      base_url_(base_url(host_)),
      connect_timeout_(connect_timeout),
      curl_(std::move(curl)) {}

curl_transport::~curl_transport() = default;

tl::expected<http_reply, error> curl_transport::perform(const http_request& request) {
  CURL* easy = curl_->easy;
  // Reset drops the previous request's options but keeps the open connection for reuse.
  curl_easy_reset(easy);
  exchange state;
  state.request = &request;
  state.easy = easy;
  char error_buffer[CURL_ERROR_SIZE] = {};

  std::string url = base_url_ + request.target;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  if (host_.transport == docker_host::kind::unix_socket) {
    curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, host_.socket_path.c_str());
  } else {
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  }
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
  if (request.total_timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  }
  if (request.idle_timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.idle_timeout.count()));
  }
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, transfer_buffer_size);
  curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, transfer_buffer_size);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &state);

  std::string content_type_header = "Content-Type: " + std::string{request.content_type};
  curl_slist* headers = nullptr;
  // The daemon answers at once; waiting for "100 Continue" only adds a round trip.
  headers = curl_slist_append(headers, "Expect:");
  bool has_body = request.method == "POST" || request.method == "PUT";
  if (has_body) headers = curl_slist_append(headers, content_type_header.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

  if (has_body && request.upload) {
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(easy, CURLOPT_READDATA, &state);
    if (request.method == "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (has_body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    if (request.method == "PUT") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (request.method != "GET") {
    std::string method{request.method};
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  // The multi interface lets another thread interrupt a long transfer via curl_multi_wakeup.
  curl_multi_add_handle(curl_->multi, easy);
  bool stopped = false;
  CURLMcode multi_status = CURLM_OK;
  {
    std::stop_callback wake{request.stop, [multi = curl_->multi] { curl_multi_wakeup(multi); }};
    int running = 1;
    while (true) {
      multi_status = curl_multi_perform(curl_->multi, &running);
      if (multi_status != CURLM_OK || running == 0) break;
      if (request.stop.stop_requested()) {
        stopped = true;
        break;
      }
      multi_status = curl_multi_poll(curl_->multi, nullptr, 0, poll_interval_ms, nullptr);
      if (multi_status != CURLM_OK) break;
    }
  }
  CURLcode result = CURLE_OK;
  int pending = 0;
  while (CURLMsg* message = curl_multi_info_read(curl_->multi, &pending)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == easy) result = message->data.result;
  }
  curl_multi_remove_handle(curl_->multi, easy);
  curl_slist_free_all(headers);

  if (stopped) return tl::unexpected(error{error_code::cancelled, 0, "stop requested"});
  if (multi_status != CURLM_OK) {
    return tl::unexpected(error{error_code::protocol, 0, curl_multi_strerror(multi_status)});
  }
  if (result != CURLE_OK) {
    if (state.sink_refused) return tl::unexpected(error{error_code::cancelled, 0, "sink refused"});
    if (state.source_aborted) {
      return tl::unexpected(error{error_code::cancelled, 0, "request body source aborted"});
    }
    // libcurl's text names a fake "docker port 80" for unix sockets; say where we really went.
    auto failure = error_from_curl(result, error_buffer);
    failure.message = "Docker at " + to_string(host_) + ": " + failure.message;
    return tl::unexpected(std::move(failure));
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  state.reply.status = static_cast<int>(status);
  return std::move(state.reply);
}

}  // namespace berth::docker
