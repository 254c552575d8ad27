#include <optional>

#include "docker/client.hpp"
#include "docker/curl_transport.hpp"
#include "docker/json_read.hpp"
#include "docker/json_write.hpp"
#include "docker/url.hpp"

namespace berth::docker {
namespace {

// An event is a few hundred bytes plus labels; a longer line means the stream is garbage.
constexpr std::size_t max_event_line = 1024 * 1024;

}  // namespace

tl::expected<void, error> client::watch_events(const event_filter& filter,
                                               const event_handler& on_event,
                                               std::stop_token stop) {
  std::string path = "/events?filters=" + encode_query_value(event_filters_json(filter));
  if (filter.since) path += "&since=" + encode_query_value(*filter.since);
  if (filter.until) path += "&until=" + encode_query_value(*filter.until);
  auto request = make_request("GET", path);
  // A quiet daemon sends nothing for hours: no total or idle limit, only `stop`.
  request.total_timeout = std::chrono::milliseconds{0};
  request.stop = stop;

  std::string pending;
  std::optional<error> failure;
  bool handler_finished = false;
  request.download = [&](std::string_view chunk) {
    pending.append(chunk);
    std::size_t start = 0;
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
      std::string_view line{pending.data() + start, end - start};
      start = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      auto parsed = parse_event(line);
      if (!parsed) {
        failure = parsed.error();
        return false;
      }
      if (!on_event(*parsed)) {
        handler_finished = true;
        return false;
      }
    }
    pending.erase(0, start);
    if (pending.size() > max_event_line) {
      failure = error{error_code::protocol, 200, "event line longer than 1 MiB"};
      return false;
    }
    return true;
  };

  auto reply = send_expecting(std::move(request), {200});
  if (failure) return tl::unexpected(*failure);
  if (handler_finished || stop.stop_requested()) return {};
  if (!reply) return tl::unexpected(reply.error());
  if (filter.until) return {};
  // Without `until` the daemon only ends the stream when it shuts down.
  return tl::unexpected(
      error{error_code::daemon_unavailable, 200, "daemon closed the event stream"});
}

}  // namespace berth::docker
