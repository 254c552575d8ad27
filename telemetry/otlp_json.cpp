#include "telemetry/otlp_json.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "telemetry/log.hpp"

namespace berth::telemetry {
namespace {

void append_string(std::string& out, std::string_view text) {
  out += '"';
  append_json_escaped(out, text);
  out += '"';
}

void append_key_value(std::string& out, std::string_view key, const attribute_value& value) {
  out += "{\"key\":";
  append_string(out, key);
  out += ",\"value\":";
  append_otlp_value(out, value);
  out += '}';
}

void append_span(std::string& out, const span_record& record) {
  out += "{\"traceId\":\"";
  out += record.context.trace_id_hex();
  out += "\",\"spanId\":\"";
  out += record.context.span_id_hex();
  out += '"';
  if (record.parent != span_id{}) {
    out += ",\"parentSpanId\":\"";
    out += to_hex(record.parent.data(), record.parent.size());
    out += '"';
  }
  out += ",\"flags\":";
  out += std::to_string(record.context.flags);
  out += ",\"name\":";
  append_string(out, record.name);
  out += ",\"kind\":";
  out += std::to_string(static_cast<int>(record.kind));
  out += ",\"startTimeUnixNano\":\"";
  out += std::to_string(record.start_unix_nano);
  out += "\",\"endTimeUnixNano\":\"";
  out += std::to_string(record.end_unix_nano);
  out += "\",\"attributes\":[";
  for (std::size_t i = 0; i < record.attributes.size(); ++i) {
    if (i > 0) out += ',';
    append_key_value(out, record.attributes[i].first, record.attributes[i].second);
  }
  out += "],\"status\":{";
  if (record.error) {
    out += "\"code\":2";
    if (!record.status_message.empty()) {
      out += ",\"message\":";
      append_string(out, record.status_message);
    }
  }
  out += "}}";
}

}  // namespace

void append_otlp_value(std::string& out, const attribute_value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    out += "{\"stringValue\":";
    append_string(out, *text);
    out += '}';
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    out += "{\"intValue\":\"" + std::to_string(*integer) + "\"}";
  } else if (const auto* number = std::get_if<double>(&value)) {
    if (!std::isfinite(*number)) {
      // JSON has no NaN or infinity; OTLP's JSON mapping spells them as strings.
      out += std::isnan(*number) ? "{\"doubleValue\":\"NaN\"}"
             : *number > 0       ? "{\"doubleValue\":\"Infinity\"}"
                                 : "{\"doubleValue\":\"-Infinity\"}";
      return;
    }
    char digits[32];
    const auto n = std::snprintf(digits, sizeof digits, "%.17g", *number);
    out += "{\"doubleValue\":";
    out.append(digits, static_cast<std::size_t>(n));
    out += '}';
  } else {
    out += std::get<bool>(value) ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
  }
}

std::string encode_otlp_json(const resource_attributes& resource,
                             const std::vector<span_record>& spans) {
  std::map<std::string_view, std::vector<const span_record*>> by_scope;
  for (const auto& record : spans)
    by_scope[record.scope].push_back(&record);
  std::string out;
  out.reserve(256 + spans.size() * 400);
  out += "{\"resourceSpans\":[{\"resource\":{\"attributes\":[";
  for (std::size_t i = 0; i < resource.attributes.size(); ++i) {
    if (i > 0) out += ',';
    append_key_value(out, resource.attributes[i].first, resource.attributes[i].second);
  }
  out += "]},\"scopeSpans\":[";
  bool first_scope = true;
  for (const auto& [scope, records] : by_scope) {
    if (!first_scope) out += ',';
    first_scope = false;
    out += "{\"scope\":{\"name\":";
    append_string(out, scope);
    out += ",\"version\":\"" BERTH_VERSION "\"},\"spans\":[";
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i > 0) out += ',';
      append_span(out, *records[i]);
    }
    out += "]}";
  }
  out += "]}]}";
  return out;
}

}  // namespace berth::telemetry
