#include "docker/url.hpp"

namespace berth::docker {
namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string encode(std::string_view value, std::string_view also_allowed) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  std::string result;
  result.reserve(value.size());
  for (char c : value) {
    if (is_unreserved(c) || also_allowed.find(c) != std::string_view::npos) {
      result += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      result += '%';
      result += hex[byte >> 4];
      result += hex[byte & 0x0f];
    }
  }
  return result;
}

}  // namespace

std::string encode_query_value(std::string_view value) {
  return encode(value, "");
}

std::string encode_path(std::string_view value) {
  return encode(value, "/:@");
}

}  // namespace berth::docker
