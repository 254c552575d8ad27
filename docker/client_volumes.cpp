#include "docker/client.hpp"
#include "docker/curl_transport.hpp"
#include "docker/json_read.hpp"
#include "docker/json_write.hpp"
#include "docker/url.hpp"

namespace berth::docker {

tl::expected<volume_info, error> client::create_volume(const volume_spec& spec) {
  auto reply =
      send_expecting(make_request("POST", "/volumes/create", volume_create_body(spec)), {200, 201});
  if (!reply) return tl::unexpected(reply.error());
  return parse_volume_info(reply->body);
}

tl::expected<volume_info, error> client::inspect_volume(std::string_view name) {
  auto reply = send_expecting(make_request("GET", "/volumes/" + encode_path(name)), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_volume_info(reply->body);
}

tl::expected<void, error> client::remove_volume(std::string_view name, bool force) {
  std::string path = "/volumes/" + encode_path(name) + (force ? "?force=1" : "");
  auto reply = send_expecting(make_request("DELETE", path), {204});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

}  // namespace berth::docker
