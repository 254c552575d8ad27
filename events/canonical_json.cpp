#include "events/canonical_json.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace berth::events {
namespace {

namespace json = boost::json;

/// Builds the canonical text bottom-up from Boost.JSON's SAX events: every finished value is
/// a canonical string; objects sort theirs by key when they close.
class canonical_handler {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) {
    frames_.push_back({false, {}, {}, {}});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    auto closed = std::move(frames_.back());
    frames_.pop_back();
    std::string out = "[";
    for (std::size_t i = 0; i < closed.items.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += closed.items[i];
    }
    out.push_back(']');
    return finish(std::move(out));
  }
  bool on_object_begin(json::error_code&) {
    frames_.push_back({true, {}, {}, {}});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    auto closed = std::move(frames_.back());
    frames_.pop_back();
    auto& members = closed.members;
    // Like jsonb, a repeated key keeps its last value.
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = "{";
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
      if (out.size() > 1) out.push_back(',');
      out += json::serialize(json::string_view(members[i].first));
      out.push_back(':');
      out += members[i].second;
    }
    out.push_back('}');
    return finish(std::move(out));
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    part_.append(s.data(), s.size());
    auto text = json::serialize(json::string_view(part_));
    part_.clear();
    return finish(std::move(text));
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    part_.append(s.data(), s.size());
    frames_.back().key = std::move(part_);
    part_.clear();
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, json::string_view s, json::error_code& ec) {
    return on_number(s, ec);
  }
  bool on_uint64(std::uint64_t, json::string_view s, json::error_code& ec) {
    return on_number(s, ec);
  }
  bool on_double(double, json::string_view s, json::error_code& ec) { return on_number(s, ec); }
  bool on_bool(bool b, json::error_code&) { return finish(b ? "true" : "false"); }
  bool on_null(json::error_code&) { return finish("null"); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

  std::string result;

 private:
  struct frame {
    bool is_object;
    std::vector<std::string> items;
    std::vector<std::pair<std::string, std::string>> members;
    std::string key;
  };

  bool on_number(json::string_view s, json::error_code& ec) {
    part_.append(s.data(), s.size());
    auto text = canonical_number(part_);
    part_.clear();
    if (!text) {
      ec = json::error::exponent_overflow;
      return false;
    }
    return finish(std::move(*text));
  }

  bool finish(std::string value) {
    if (frames_.empty()) {
      result = std::move(value);
    } else if (frames_.back().is_object) {
      frames_.back().members.emplace_back(std::move(frames_.back().key), std::move(value));
    } else {
      frames_.back().items.push_back(std::move(value));
    }
    return true;
  }

  std::vector<frame> frames_;
  std::string part_;
};

}  // namespace

std::optional<std::string> canonical_number(std::string_view literal) {
  // The value is digits × 10^exponent; jsonb keeps numbers as exact decimals, so comparing
  // this normal form is comparing values, whatever spelling (1E2, 100, 100.00) was used.
  std::size_t i = 0;
  const bool negative = i < literal.size() && literal[i] == '-';
  if (negative) ++i;
  std::string digits;
  std::int64_t exponent = 0;
  bool seen_digit = false;
  for (; i < literal.size() && literal[i] >= '0' && literal[i] <= '9'; ++i) {
    digits.push_back(literal[i]);
    seen_digit = true;
  }
  if (i < literal.size() && literal[i] == '.') {
    for (++i; i < literal.size() && literal[i] >= '0' && literal[i] <= '9'; ++i) {
      digits.push_back(literal[i]);
      --exponent;
    }
  }
  if (!seen_digit) return std::nullopt;
  if (i < literal.size() && (literal[i] == 'e' || literal[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < literal.size() && (literal[i] == '+' || literal[i] == '-')) {
      exponent_negative = literal[i] == '-';
      ++i;
    }
    std::int64_t written = 0;
    const auto [end, error] =
        std::from_chars(literal.data() + i, literal.data() + literal.size(), written);
    // PostgreSQL's numeric holds at most ~131072 digits before and 16383 after the point.
    if (error != std::errc() || end == literal.data() + i || written > 200'000) return std::nullopt;
    i = static_cast<std::size_t>(end - literal.data());
    exponent += exponent_negative ? -written : written;
  }
  if (i != literal.size()) return std::nullopt;
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  digits.erase(0, first);
  while (digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  std::string out = negative ? "-" : "";
  if (exponent >= 0 && static_cast<std::int64_t>(digits.size()) + exponent <= 20) {
    out += digits;
    out.append(static_cast<std::size_t>(exponent), '0');
  } else {
    out += digits;
    out += 'e';
    out += std::to_string(exponent);
  }
  return out;
}

std::optional<std::string> canonical_json(std::string_view json) {
  json::parse_options options;
  options.max_depth = 64;
  json::basic_parser<canonical_handler> parser(options);
  json::error_code error;
  const auto used = parser.write_some(false, json.data(), json.size(), error);
  if (error || used != json.size() || !parser.done()) return std::nullopt;
  return std::move(parser.handler().result);
}

}  // namespace berth::events
