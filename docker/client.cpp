#include "docker/client.hpp"

#include "docker/api_operation.hpp"
#include "docker/curl_transport.hpp"
#include "docker/json_read.hpp"
#include "telemetry/berth_metrics.hpp"
#include "telemetry/span.hpp"

namespace berth::docker {

tl::expected<client, error> client::connect(client_options options) {
  auto host = options.docker_host.empty() ? docker_host_from_environment()
                                          : parse_docker_host(options.docker_host);
  if (!host) return tl::unexpected(host.error());
  auto transport = curl_transport::create(*host, options.connect_timeout);
  if (!transport) return tl::unexpected(transport.error());
  client result{std::move(*transport), options, *host};

  // Unversioned paths: the version is what we are about to find out.
  auto ping = result.send_expecting(result.make_request("GET", "/_ping"), {200});
  if (!ping) return tl::unexpected(ping.error());
  auto version_reply = result.send_expecting(result.make_request("GET", "/version"), {200});
  if (!version_reply) return tl::unexpected(version_reply.error());
  auto reported = parse_daemon_version(version_reply->body);
  if (!reported) return tl::unexpected(reported.error());
  // `/_ping` announces the version in a header; `/version` is the fallback for proxies that
  // strip it. Both come from the same daemon, so prefer the header when present.
  auto daemon_api = ping->api_version.empty() ? reported->api_version : ping->api_version;
  auto negotiated = negotiate_api_version(daemon_api);
  if (!negotiated) return tl::unexpected(negotiated.error());
  result.version_ = *negotiated;
  result.daemon_version_ = reported->version;
  return result;
}

client::client(std::unique_ptr<curl_transport> transport, client_options options, docker_host host)
    : transport_(std::move(transport)), options_(std::move(options)), host_(std::move(host)) {}

client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;
client::~client() = default;

http_request client::make_request(std::string_view method, std::string_view path,
                                  std::string body) const {
  http_request request;
  request.method = method;
  // `/_ping` and `/version` are used before negotiation; everything else is versioned.
  bool unversioned = path == "/_ping" || path == "/version";
  request.target = unversioned ? std::string{path} : "/v" + to_string(version_) + std::string{path};
  request.body = std::move(body);
  request.total_timeout = options_.request_timeout;
  return request;
}

http_request client::make_tar_upload(std::string_view method, std::string_view path,
                                     body_source tar) const {
  auto request = make_request(method, path);
  request.content_type = "application/x-tar";
  request.upload = std::move(tar);
  request.total_timeout = std::chrono::milliseconds{0};
  request.idle_timeout = options_.transfer_idle_timeout;
  return request;
}

namespace {

/// Counts a Docker call and its latency by operation (REFERENCE.md "Observability").
void record_call(const http_request& request, const tl::expected<http_reply, error>& reply,
                 std::chrono::steady_clock::time_point started) {
  if (!telemetry::metrics_enabled()) return;
  auto& families = telemetry::berth_metrics();
  const auto operation = api_operation(request.method, request.target);
  families.docker_requests
      .with({operation, reply ? std::to_string(reply->status) : std::string("error")})
      .add();
  families.docker_duration.with({operation}).observe_since(started);
}

}  // namespace

tl::expected<http_reply, error> client::send_expecting(http_request request,
                                                       std::initializer_list<int> statuses) {
  const auto started = std::chrono::steady_clock::now();
  // A client span per Docker API call: a child of the command that makes it.
  telemetry::span call("berth.docker", "docker " + api_operation(request.method, request.target),
                       telemetry::span_kind::client);
  call.set("http.request.method", request.method);
  call.set("url.path", request.target.substr(0, request.target.find('?')));
  auto reply = transport_->perform(request);
  if (!reply) {
    call.set_error(describe(reply.error()));
  } else {
    call.set("http.response.status_code", static_cast<std::int64_t>(reply->status));
    if (reply->status >= 400) call.set_error(std::to_string(reply->status));
  }
  record_call(request, reply, started);
  if (!reply) return reply;
  for (int status : statuses) {
    if (reply->status == status) return reply;
  }
  return tl::unexpected(error_from_reply(reply->status, reply->body));
}

}  // namespace berth::docker
