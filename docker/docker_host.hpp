#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "docker/error.hpp"

namespace berth::docker {

/// The default daemon address when `DOCKER_HOST` is unset or empty.
inline constexpr std::string_view default_docker_host = "unix:///var/run/docker.sock";

/// Where the Docker daemon listens: a unix socket path or a plain-TCP host and port.
struct docker_host {
  enum class kind { unix_socket, tcp };
  kind transport = kind::unix_socket;
  std::string socket_path;  ///< For `unix_socket`: absolute path of the socket.
  std::string host;         ///< For `tcp`: host name or address (IPv6 without brackets).
  std::uint16_t port = 0;   ///< For `tcp`: port number.

  friend bool operator==(const docker_host&, const docker_host&) = default;
};

/// Parses a `DOCKER_HOST` value: `unix:///path` or `tcp://host:port` (TLS is not supported).
tl::expected<docker_host, error> parse_docker_host(std::string_view value);

/// Reads `DOCKER_HOST` from the environment, falling back to `default_docker_host`.
tl::expected<docker_host, error> docker_host_from_environment();

/// The address as a `DOCKER_HOST` value, e.g. "unix:///var/run/docker.sock", for messages.
std::string to_string(const docker_host& host);

/// The URL prefix libcurl uses for this host, e.g. "http://docker" or "http://10.0.0.1:2375".
std::string base_url(const docker_host& host);

}  // namespace berth::docker
