#include "docker/client.hpp"
#include "docker/curl_transport.hpp"
#include "docker/url.hpp"

namespace berth::docker {

tl::expected<void, error> client::upload_archive(std::string_view id, std::string_view path,
                                                 body_source tar) {
  auto reply = send_expecting(
      make_tar_upload(
          "PUT", "/containers/" + encode_path(id) + "/archive?path=" + encode_query_value(path),
          std::move(tar)),
      {200});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

tl::expected<void, error> client::download_archive(std::string_view id, std::string_view path,
                                                   body_sink sink) {
  auto request = make_request(
      "GET", "/containers/" + encode_path(id) + "/archive?path=" + encode_query_value(path));
  request.download = std::move(sink);
  request.total_timeout = std::chrono::milliseconds{0};
  request.idle_timeout = options_.transfer_idle_timeout;
  auto reply = send_expecting(std::move(request), {200});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

}  // namespace berth::docker
