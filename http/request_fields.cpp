#include "http/request_fields.hpp"

#include <algorithm>

#include "telemetry/trace_context.hpp"

namespace berth::http {
std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// https://www.w3.org/TR/trace-context/ section 3.2, parsed in one place (telemetry).
std::string trace_id_of(const request& req) {
  if (!req.from_trusted_proxy) return {};
  const auto context = telemetry::parse_traceparent(req.header("traceparent"));
  return context ? context->trace_id_hex() : std::string();
}

std::string cookie_value(const request& req, std::string_view name) {
  for (const auto& [header, value] : req.headers) {
    if (header != "cookie") continue;
    std::string_view rest(value);
    while (!rest.empty()) {
      const auto end = std::min(rest.find(';'), rest.size());
      auto pair = trim_blanks(rest.substr(0, end));
      rest.remove_prefix(std::min(end + 1, rest.size()));
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && trim_blanks(pair.substr(0, equals)) == name) {
        return std::string(trim_blanks(pair.substr(equals + 1)));
      }
    }
  }
  return {};
}

std::optional<std::string_view> query_value(const request& req, std::string_view name) {
  const std::string_view target = req.target;
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  auto rest = target.substr(question + 1);
  while (!rest.empty()) {
    const auto end = std::min(rest.find('&'), rest.size());
    const auto pair = rest.substr(0, end);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      return equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    }
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return std::nullopt;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// `text` percent-decoded (RFC 3986 section 2.1), `+` read as a space (HTML forms).
std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

}  // namespace

tl::expected<std::map<std::string, std::string>, std::string> query_parameters(const request& req) {
  std::map<std::string, std::string> parameters;
  const std::string_view target = req.target;
  const auto question = target.find('?');
  if (question == std::string_view::npos) return parameters;
  auto rest = target.substr(question + 1);
  while (!rest.empty()) {
    const auto end = std::min(rest.find('&'), rest.size());
    const auto pair = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (pair.empty()) continue;  // `a=1&&b=2`
    const auto equals = std::min(pair.find('='), pair.size());
    auto name = percent_decoded(pair.substr(0, equals));
    auto value = percent_decoded(pair.substr(std::min(equals + 1, pair.size())));
    if (!name || !value)
      return tl::unexpected(std::string("malformed percent-escape in the query"));
    if (name->empty()) return tl::unexpected(std::string("a query parameter has no name"));
    if (!parameters.emplace(*name, std::move(*value)).second) {
      return tl::unexpected("query parameter `" + *name + "` is given twice");
    }
  }
  return parameters;
}

}  // namespace berth::http
