#include "docker/docker_host.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace berth::docker {
namespace {

TEST(docker_host, parses_a_unix_socket_url) {
  auto host = parse_docker_host("unix:///run/user/1000/docker.sock");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->transport, docker_host::kind::unix_socket);
  EXPECT_EQ(host->socket_path, "/run/user/1000/docker.sock");
  EXPECT_EQ(base_url(*host), "http://docker");
}

TEST(docker_host, parses_a_tcp_url_with_port) {
  auto host = parse_docker_host("tcp://10.1.2.3:2375");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->transport, docker_host::kind::tcp);
  EXPECT_EQ(host->host, "10.1.2.3");
  EXPECT_EQ(host->port, 2375);
  EXPECT_EQ(base_url(*host), "http://10.1.2.3:2375");
}

TEST(docker_host, parses_a_bracketed_ipv6_tcp_url) {
  auto host = parse_docker_host("tcp://[::1]:2375/");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->host, "::1");
  EXPECT_EQ(host->port, 2375);
  EXPECT_EQ(base_url(*host), "http://[::1]:2375");
}

TEST(docker_host, rejects_tcp_without_a_valid_port) {
  for (auto value : {"tcp://docker", "tcp://docker:", "tcp://docker:0", "tcp://docker:65536",
                     "tcp://docker:12ab", "tcp://:2375", "tcp://[::1]2375"}) {
    auto host = parse_docker_host(value);
    ASSERT_FALSE(host) << value;
    EXPECT_EQ(host.error().code, error_code::bad_request) << value;
    EXPECT_NE(host.error().message.find(value), std::string::npos) << host.error().message;
  }
}

TEST(docker_host, rejects_relative_socket_paths_and_unknown_schemes) {
  EXPECT_FALSE(parse_docker_host("unix://docker.sock"));
  EXPECT_FALSE(parse_docker_host("ssh://user@host"));
  EXPECT_FALSE(parse_docker_host("npipe:////./pipe/docker_engine"));
  EXPECT_FALSE(parse_docker_host("/var/run/docker.sock"));
}

TEST(docker_host, falls_back_to_the_default_socket_when_the_variable_is_unset_or_empty) {
  const char* saved = std::getenv("DOCKER_HOST");
  std::string saved_value = saved ? saved : "";
  unsetenv("DOCKER_HOST");
  auto unset = docker_host_from_environment();
  setenv("DOCKER_HOST", "", 1);
  auto empty = docker_host_from_environment();
  setenv("DOCKER_HOST", "tcp://example:2375", 1);
  auto tcp = docker_host_from_environment();
  if (saved) {
    setenv("DOCKER_HOST", saved_value.c_str(), 1);
  } else {
    unsetenv("DOCKER_HOST");
  }
  ASSERT_TRUE(unset);
  EXPECT_EQ(unset->socket_path, "/var/run/docker.sock");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->socket_path, "/var/run/docker.sock");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->host, "example");
}

}  // namespace
}  // namespace berth::docker
