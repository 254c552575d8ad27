#include "telemetry/otlp_exporter.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <curl/curl.h>
#include <zlib.h>

#include "telemetry/log.hpp"
#include "telemetry/tracer.hpp"

namespace berth::telemetry {
namespace {

std::string trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::uint8_t byte = 0;
    if (text[i] == '%' && i + 2 < text.size() && from_hex(text.substr(i + 1, 2), &byte, 1)) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

/// `k=v,k2=v2` (W3C baggage-like, values percent-encoded); malformed entries are skipped.
std::vector<std::pair<std::string, std::string>> key_values(std::string_view text,
                                                            const char* variable,
                                                            std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto equals = entry.find('=');
    auto key = trimmed(entry.substr(0, equals));
    if (equals == std::string_view::npos || key.empty()) {
      if (!trimmed(entry).empty())
        warnings.push_back(std::string(variable) + ": skipped an entry without key=value");
      continue;
    }
    out.emplace_back(std::move(key), percent_decoded(trimmed(entry.substr(equals + 1))));
  }
  return out;
}

bool parse_milliseconds(const char* text, std::chrono::milliseconds& out) {
  if (!text || !*text) return false;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || value < 0) return false;
  out = std::chrono::milliseconds(value);
  return true;
}

bool parse_count(const char* text, std::size_t& out) {
  if (!text || !*text) return false;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || value <= 0) return false;
  out = static_cast<std::size_t>(value);
  return true;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string gzipped(const std::string& body) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return {};
  }
  std::string out(deflateBound(&stream, body.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return status == Z_STREAM_END ? out : std::string();
}

struct post_outcome {
  long status = 0;  ///< 0: no HTTP answer (network error)
  std::string error;
  std::chrono::milliseconds retry_after{0};
};

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

std::size_t read_retry_after(char* data, std::size_t size, std::size_t count, void* user) {
  const std::string_view line(data, size * count);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size() && lower(std::string(line.substr(0, name.size()))) == name) {
    const auto value = trimmed(line.substr(name.size()));
    char* end = nullptr;
    const long seconds = std::strtol(value.c_str(), &end, 10);
    if (end != value.c_str() && seconds >= 0) {
      *static_cast<std::chrono::milliseconds*>(user) =
          std::chrono::milliseconds(std::min<long>(seconds, 60) * 1000);
    }
  }
  return size * count;
}

struct curl_cleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
/// One handle for every post: libcurl keeps the connection to the collector open between
/// batches instead of connecting anew every schedule delay.
using curl_handle = std::unique_ptr<CURL, curl_cleanup>;

post_outcome post(CURL* curl, const exporter_config& config, const std::string& body) {
  post_outcome outcome;
  if (!curl) return {0, "curl_easy_init failed", {}};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::string compressed;
  if (config.gzip) {
    compressed = gzipped(body);
    if (!compressed.empty()) headers = curl_slist_append(headers, "Content-Encoding: gzip");
  }
  const std::string& payload = compressed.empty() ? body : compressed;
  for (const auto& [name, value] : config.headers)
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, config.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_retry_after);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &outcome.retry_after);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &outcome.status);
  } else {
    outcome.error = curl_easy_strerror(code);
  }
  // The handle outlives this call: it must not keep pointers into this frame.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, nullptr);
  curl_slist_free_all(headers);
  return outcome;
}

bool retryable(const post_outcome& outcome) {
  return outcome.status == 0 || outcome.status == 429 || outcome.status == 502 ||
         outcome.status == 503 || outcome.status == 504;
}

}  // namespace

exporter_config exporter_config_from(const std::function<const char*(const char*)>& variable) {
  exporter_config config;
  const auto text = [&](const char* name) -> std::string {
    const char* value = variable(name);
    return value ? trimmed(value) : std::string();
  };
  if (lower(text("OTEL_SDK_DISABLED")) == "true") config.tracing_enabled = false;
  const auto exporter = lower(text("OTEL_TRACES_EXPORTER"));
  const bool export_off = exporter == "none";
  if (!exporter.empty() && exporter != "otlp" && !export_off) {
    config.warnings.push_back("OTEL_TRACES_EXPORTER: only `otlp` and `none` are supported");
  }
  if (auto traces = text("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); !traces.empty()) {
    config.endpoint = traces;
  } else if (auto base = text("OTEL_EXPORTER_OTLP_ENDPOINT"); !base.empty()) {
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    config.endpoint = base + "/v1/traces";
  }
  if (export_off || !config.tracing_enabled) config.endpoint.clear();
  if (!config.endpoint.empty() && config.endpoint.rfind("http://", 0) != 0 &&
      config.endpoint.rfind("https://", 0) != 0) {
    config.warnings.push_back("OTLP endpoint must start with http:// or https://: export off");
    config.endpoint.clear();
  }
  for (const char* name : {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"}) {
    const auto protocol = text(name);
    if (protocol.empty()) continue;
    if (protocol != "http/json") {
      config.warnings.push_back(std::string(name) + ": Berth sends http/json only");
    }
    break;
  }
  config.headers =
      key_values(text("OTEL_EXPORTER_OTLP_HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS", config.warnings);
  for (auto& entry : key_values(text("OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
                                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", config.warnings)) {
    config.headers.push_back(std::move(entry));
  }
  for (const char* name : {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"}) {
    if (const char* value = variable(name)) {
      if (!parse_milliseconds(value, config.timeout) || config.timeout.count() == 0) {
        config.timeout = std::chrono::milliseconds(10000);
        config.warnings.push_back(std::string(name) + ": not a positive number of ms");
      }
      break;
    }
  }
  for (const char* name :
       {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"}) {
    const auto compression = lower(text(name));
    if (compression.empty()) continue;
    if (compression == "gzip") {
      config.gzip = true;
    } else if (compression != "none") {
      config.warnings.push_back(std::string(name) + ": only gzip and none are supported");
    }
    break;
  }
  const auto sampler = lower(text("OTEL_TRACES_SAMPLER"));
  if (!sampler.empty() && sampler != "parentbased_always_on" && sampler != "always_on") {
    config.warnings.push_back("OTEL_TRACES_SAMPLER: Berth samples parentbased_always_on");
  }
  if (const char* value = variable("OTEL_BSP_SCHEDULE_DELAY");
      value &&
      (!parse_milliseconds(value, config.schedule_delay) || config.schedule_delay.count() == 0)) {
    config.schedule_delay = std::chrono::milliseconds(5000);
    config.warnings.push_back("OTEL_BSP_SCHEDULE_DELAY: not a positive number of ms");
  }
  if (const char* value = variable("OTEL_BSP_MAX_QUEUE_SIZE");
      value && !parse_count(value, config.max_queue)) {
    config.warnings.push_back("OTEL_BSP_MAX_QUEUE_SIZE: not a positive number");
  }
  if (const char* value = variable("OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
      value && !parse_count(value, config.max_batch)) {
    config.warnings.push_back("OTEL_BSP_MAX_EXPORT_BATCH_SIZE: not a positive number");
  }
  config.max_batch = std::min(config.max_batch, config.max_queue);

  std::string service = text("OTEL_SERVICE_NAME");
  auto resource =
      key_values(text("OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES", config.warnings);
  if (service.empty()) {
    for (const auto& [key, value] : resource) {
      if (key == "service.name") service = value;
    }
  }
  config.resource.attributes.emplace_back("service.name", service.empty() ? "berth" : service);
  config.resource.attributes.emplace_back("service.version", BERTH_VERSION);
  for (auto& [key, value] : resource) {
    if (key != "service.name" && key != "service.version") {
      config.resource.attributes.emplace_back(std::move(key), std::move(value));
    }
  }
  return config;
}

struct otlp_exporter::impl {
  exporter_config config;
  std::mutex mutex;
  std::condition_variable wake, drained;
  std::deque<span_record> queue;
  bool stopping = false;
  std::uint64_t flush_requested = 0, flush_done = 0;
  std::thread worker;
  std::mt19937 jitter{std::random_device{}()};
  curl_handle curl{curl_easy_init()};  ///< used by the worker thread only

  explicit impl(exporter_config c) : config(std::move(c)) {
    worker = std::thread([this] { run(); });
  }

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait_for(lock, config.schedule_delay, [&] {
        return stopping || queue.size() >= config.max_batch || flush_requested != flush_done;
      });
      const bool final_round = stopping;
      const auto serving = flush_requested;
      while (!queue.empty()) {
        const auto take = std::min(config.max_batch, queue.size());
        std::vector<span_record> batch(std::make_move_iterator(queue.begin()),
                                       std::make_move_iterator(queue.begin() + take));
        queue.erase(queue.begin(), queue.begin() + take);
        lock.unlock();
        send(batch, final_round);
        lock.lock();
      }
      flush_done = serving;
      drained.notify_all();
      if (final_round) return;
    }
  }

  /// One batch, retried while the collector asks for it; on shutdown, one try only.
  void send(const std::vector<span_record>& batch, bool final_round) {
    const auto body = encode_otlp_json(config.resource, batch);
    auto backoff = config.first_backoff;
    for (int attempt = 1;; ++attempt) {
      const auto outcome = post(curl.get(), config, body);
      if (outcome.status >= 200 && outcome.status < 300) {
        count_exported(batch.size());
        return;
      }
      const bool again = retryable(outcome) && attempt < config.max_attempts && !final_round;
      if (!again) {
        count_export_failure();
        log(level::warn, "telemetry.otlp", "span export failed",
            {{"status", static_cast<std::int64_t>(outcome.status)},
             {"error", std::string_view(outcome.error)},
             {"spans", static_cast<std::int64_t>(batch.size())},
             {"attempts", static_cast<std::int64_t>(attempt)}});
        return;
      }
      auto wait = outcome.retry_after.count() > 0
                      ? outcome.retry_after
                      : backoff + std::chrono::milliseconds(std::uniform_int_distribution<int>(
                                      0, static_cast<int>(backoff.count() / 2))(jitter));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
      std::unique_lock lock(mutex);
      if (wake.wait_for(lock, wait, [&] { return stopping; })) {
        // Shutting down: one last try, no more waiting.
        lock.unlock();
        if (const auto last = post(curl.get(), config, body);
            last.status >= 200 && last.status < 300) {
          count_exported(batch.size());
        } else {
          count_export_failure();
        }
        return;
      }
    }
  }
};

otlp_exporter::otlp_exporter(exporter_config config)
    : impl_(std::make_unique<impl>(std::move(config))) {}

otlp_exporter::~otlp_exporter() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->worker.join();
}

bool otlp_exporter::enqueue(const span_record& finished) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->stopping || impl_->queue.size() >= impl_->config.max_queue) return false;
  impl_->queue.push_back(finished);
  if (impl_->queue.size() >= impl_->config.max_batch) impl_->wake.notify_one();
  return true;
}

void otlp_exporter::flush() {
  std::unique_lock lock(impl_->mutex);
  const auto ticket = ++impl_->flush_requested;
  impl_->wake.notify_all();
  impl_->drained.wait(lock, [&] { return impl_->flush_done >= ticket || impl_->stopping; });
}

}  // namespace berth::telemetry
