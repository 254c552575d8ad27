#include "events/canonical_json.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/json.hpp>

namespace berth::events {
namespace {

void write_canonical(const boost::json::value& value, std::string& out);

void write_number(double number, std::string& out) {
  // jsonb stores numbers as exact decimals and prints 1E2 as 100: integral doubles must be
  // written as integers or the text read back would canonicalise differently.
  constexpr double int64_limit = 9.2e18;
  if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < int64_limit) {
    out += std::to_string(static_cast<long long>(number));
    return;
  }
  out += boost::json::serialize(boost::json::value(number));
}

void write_object(const boost::json::object& object, std::string& out) {
  std::vector<const boost::json::key_value_pair*> members;
  members.reserve(object.size());
  for (const auto& member : object)
    members.push_back(&member);
  std::sort(members.begin(), members.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  out.push_back('{');
  bool first = true;
  for (const auto* member : members) {
    if (!first) out.push_back(',');
    first = false;
    out += boost::json::serialize(boost::json::value(member->key()));
    out.push_back(':');
    write_canonical(member->value(), out);
  }
  out.push_back('}');
}

void write_canonical(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::object:
      write_object(value.get_object(), out);
      return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_canonical(element, out);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::double_:
      write_number(value.get_double(), out);
      return;
    default:
      out += boost::json::serialize(value);
      return;
  }
}

}  // namespace

std::optional<std::string> canonical_json(std::string_view json) {
  boost::json::error_code error;
  boost::json::parse_options options;
  options.max_depth = 64;
  const auto value = boost::json::parse(json, error, {}, options);
  if (error) return std::nullopt;
  std::string out;
  out.reserve(json.size());
  write_canonical(value, out);
  return out;
}

}  // namespace berth::events
