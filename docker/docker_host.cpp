#include "docker/docker_host.hpp"

#include <charconv>
#include <cstdlib>

namespace berth::docker {
namespace {

error invalid_host(std::string_view value, std::string_view why) {
  return error{error_code::bad_request, 0,
               "invalid DOCKER_HOST '" + std::string{value} + "': " + std::string{why}};
}

tl::expected<docker_host, error> parse_tcp(std::string_view value, std::string_view rest) {
  while (!rest.empty() && rest.back() == '/')
    rest.remove_suffix(1);
  std::string_view host_part;
  std::string_view port_part;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return tl::unexpected(invalid_host(value, "missing ']'"));
    host_part = rest.substr(1, close - 1);
    auto after = rest.substr(close + 1);
    if (!after.starts_with(':')) return tl::unexpected(invalid_host(value, "missing port"));
    port_part = after.substr(1);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return tl::unexpected(invalid_host(value, "missing port"));
    host_part = rest.substr(0, colon);
    port_part = rest.substr(colon + 1);
  }
  if (host_part.empty()) return tl::unexpected(invalid_host(value, "missing host"));
  if (host_part.find('/') != std::string_view::npos) {
    return tl::unexpected(invalid_host(value, "paths are not supported"));
  }
  unsigned port = 0;
  auto [end, status] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), port);
  if (status != std::errc{} || end != port_part.data() + port_part.size() || port == 0 ||
      port > 65535) {
    return tl::unexpected(invalid_host(value, "port must be a number from 1 to 65535"));
  }
  docker_host result;
  result.transport = docker_host::kind::tcp;
  result.host = std::string{host_part};
  result.port = static_cast<std::uint16_t>(port);
  return result;
}

}  // namespace

tl::expected<docker_host, error> parse_docker_host(std::string_view value) {
  constexpr std::string_view unix_scheme = "unix://";
  constexpr std::string_view tcp_scheme = "tcp://";
  if (value.starts_with(unix_scheme)) {
    auto path = value.substr(unix_scheme.size());
    if (!path.starts_with('/')) return tl::unexpected(invalid_host(value, "path must be absolute"));
    docker_host result;
    result.socket_path = std::string{path};
    return result;
  }
  if (value.starts_with(tcp_scheme)) return parse_tcp(value, value.substr(tcp_scheme.size()));
  return tl::unexpected(invalid_host(value, "expected unix:///path or tcp://host:port"));
}

tl::expected<docker_host, error> docker_host_from_environment() {
  const char* value = std::getenv("DOCKER_HOST");
  if (value == nullptr || *value == '\0') return parse_docker_host(default_docker_host);
  return parse_docker_host(value);
}

std::string to_string(const docker_host& host) {
  if (host.transport == docker_host::kind::unix_socket) return "unix://" + host.socket_path;
  bool ipv6 = host.host.find(':') != std::string::npos;
  return "tcp://" + (ipv6 ? "[" + host.host + "]" : host.host) + ":" + std::to_string(host.port);
}

std::string base_url(const docker_host& host) {
  // With a unix socket libcurl ignores the host name, so any fixed name avoids DNS.
  if (host.transport == docker_host::kind::unix_socket) return "http://docker";
  bool ipv6 = host.host.find(':') != std::string::npos;
  std::string authority = ipv6 ? "[" + host.host + "]" : host.host;
  return "http://" + authority + ":" + std::to_string(host.port);
}

}  // namespace berth::docker
