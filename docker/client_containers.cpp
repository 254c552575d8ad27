#include "docker/client.hpp"
#include "docker/curl_transport.hpp"
#include "docker/json_read.hpp"
#include "docker/json_write.hpp"
#include "docker/url.hpp"

namespace berth::docker {

tl::expected<std::string, error> client::create_container(const container_spec& spec) {
  std::string path = "/containers/create";
  if (!spec.name.empty()) path += "?name=" + encode_query_value(spec.name);
  auto reply = send_expecting(make_request("POST", path, container_create_body(spec)), {201});
  if (!reply) return tl::unexpected(reply.error());
  return parse_created_id(reply->body);
}

tl::expected<transition, error> client::change_state(std::string_view id, std::string_view action,
                                                     std::string_view query,
                                                     std::chrono::milliseconds extra_time) {
  auto request = make_request(
      "POST", "/containers/" + encode_path(id) + "/" + std::string{action} + std::string{query});
  request.total_timeout += extra_time;
  auto reply = send_expecting(std::move(request), {204, 304});
  if (!reply) return tl::unexpected(reply.error());
  // 304 means the container already was where the caller wanted it.
  return reply->status == 304 ? transition::already_done : transition::changed;
}

tl::expected<transition, error> client::start_container(std::string_view id) {
  return change_state(id, "start", "", std::chrono::milliseconds{0});
}

tl::expected<transition, error> client::stop_container(std::string_view id,
                                                       std::chrono::seconds grace) {
  // The daemon waits up to `grace` before SIGKILL, so the call may take that much longer.
  return change_state(id, "stop", "?t=" + std::to_string(grace.count()), grace);
}

tl::expected<void, error> client::kill_container(std::string_view id, std::string_view signal) {
  auto reply = change_state(id, "kill", "?signal=" + encode_query_value(signal),
                            std::chrono::milliseconds{0});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

tl::expected<void, error> client::pause_container(std::string_view id) {
  auto reply = change_state(id, "pause", "", std::chrono::milliseconds{0});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

tl::expected<void, error> client::unpause_container(std::string_view id) {
  auto reply = change_state(id, "unpause", "", std::chrono::milliseconds{0});
  if (reply) return {};
  auto failure = reply.error();
  // Docker 20.10 answers 500 "Container <id> is not paused"; it is a state conflict like
  // pausing a paused container (409), so callers see the same code for both.
  if (failure.http_status == 500 && failure.message.ends_with("is not paused")) {
    failure.code = error_code::conflict;
  }
  return tl::unexpected(std::move(failure));
}

tl::expected<void, error> client::remove_container(std::string_view id, remove_options options) {
  std::string path = "/containers/" + encode_path(id) + "?force=" + (options.force ? "1" : "0") +
                     "&v=" + (options.volumes ? "1" : "0");
  auto reply = send_expecting(make_request("DELETE", path), {204});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

tl::expected<container_info, error> client::inspect_container(std::string_view id) {
  auto reply =
      send_expecting(make_request("GET", "/containers/" + encode_path(id) + "/json"), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_container_info(reply->body);
}

tl::expected<std::vector<container_summary>, error> client::list_containers(
    const std::vector<std::string>& labels) {
  std::string path = "/containers/json?all=1";
  if (!labels.empty()) path += "&filters=" + encode_query_value(filters_json({{"label", labels}}));
  auto reply = send_expecting(make_request("GET", path), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_container_list(reply->body);
}

tl::expected<int, error> client::wait_container(std::string_view id,
                                                std::chrono::milliseconds limit) {
  auto request = make_request("POST", "/containers/" + encode_path(id) + "/wait");
  request.total_timeout = limit;
  auto reply = send_expecting(std::move(request), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_wait_status(reply->body);
}

}  // namespace berth::docker
