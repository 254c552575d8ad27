#include "docker/client.hpp"
#include "docker/curl_transport.hpp"
#include "docker/json_read.hpp"
#include "docker/url.hpp"

namespace berth::docker {

tl::expected<image_info, error> client::inspect_image(std::string_view name) {
  auto reply = send_expecting(make_request("GET", "/images/" + encode_path(name) + "/json"), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_image_info(reply->body);
}

tl::expected<bool, error> client::image_exists(std::string_view name) {
  auto info = inspect_image(name);
  if (info) return true;
  if (info.error().code == error_code::not_found) return false;
  return tl::unexpected(info.error());
}

tl::expected<void, error> client::remove_image(std::string_view name, bool force) {
  std::string path = "/images/" + encode_path(name) + (force ? "?force=1" : "");
  auto reply = send_expecting(make_request("DELETE", path), {200});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

tl::expected<std::string, error> client::import_image(const image_import& target, body_source tar) {
  std::string path = "/images/create?fromSrc=-&repo=" + encode_query_value(target.repository) +
                     "&tag=" + encode_query_value(target.tag);
  if (!target.message.empty()) path += "&message=" + encode_query_value(target.message);
  auto reply = send_expecting(make_tar_upload("POST", path, std::move(tar)), {200});
  if (!reply) return tl::unexpected(reply.error());
  return parse_import_progress(reply->body);
}

}  // namespace berth::docker
