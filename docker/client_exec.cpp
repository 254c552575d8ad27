#include "docker/client.hpp"
#include "docker/curl_transport.hpp"
#include "docker/json_read.hpp"
#include "docker/json_write.hpp"
#include "docker/url.hpp"

namespace berth::docker {

tl::expected<std::string, error> client::create_exec(std::string_view container_id,
                                                     const exec_spec& spec) {
  auto reply =
      send_expecting(make_request("POST", "/containers/" + encode_path(container_id) + "/exec",
                                  exec_create_body(spec)),
                     {201});
  if (!reply) return tl::unexpected(reply.error());
  return parse_created_id(reply->body);
}

tl::expected<void, error> client::resize_exec(std::string_view exec_id, int rows, int columns) {
  auto reply = send_expecting(
      make_request("POST", "/exec/" + encode_path(exec_id) + "/resize?h=" + std::to_string(rows) +
                               "&w=" + std::to_string(columns)),
      {200, 201});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

tl::expected<exec_info, error> client::inspect_exec(std::string_view exec_id) {
  auto reply =
      send_expecting(make_request("GET", "/exec/" + encode_path(exec_id) + "/json"), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_exec_info(reply->body);
}

}  // namespace berth::docker
