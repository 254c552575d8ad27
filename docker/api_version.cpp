#include "docker/api_version.hpp"

#include <algorithm>
#include <charconv>

namespace berth::docker {
namespace {

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || status != std::errc{} || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<api_version> parse_api_version(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto major = parse_number(text.substr(0, dot));
  auto minor = parse_number(text.substr(dot + 1));
  if (!major || !minor) return std::nullopt;
  return api_version{*major, *minor};
}

std::string to_string(api_version version) {
  return std::to_string(version.major) + "." + std::to_string(version.minor);
}

tl::expected<api_version, error> negotiate_api_version(std::string_view daemon_version) {
  auto parsed = parse_api_version(daemon_version);
  if (!parsed) {
    return tl::unexpected(
        error{error_code::protocol, 0,
              "daemon reported an unreadable API version '" + std::string{daemon_version} + "'"});
  }
  auto chosen = std::min(*parsed, required_api_version);
  if (chosen < required_api_version) {
    return tl::unexpected(error{error_code::unsupported_version, 0,
                                "Docker daemon speaks Engine API " + to_string(*parsed) +
                                    " but Berth needs at least " + to_string(required_api_version) +
                                    " (Docker 20.10)"});
  }
  return chosen;
}

}  // namespace berth::docker
