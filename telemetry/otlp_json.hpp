#pragma once

// OTLP/HTTP JSON encoding of spans (opentelemetry-proto, trace/v1): lowerCamelCase keys,
// ids as lowercase hex, enums as integers, 64-bit integers as decimal strings.

#include <string>
#include <utility>
#include <vector>

#include "telemetry/span.hpp"

namespace berth::telemetry {

/// What describes the process in every export: `service.name` and any other attributes.
struct resource_attributes {
  std::vector<std::pair<std::string, std::string>> attributes;
};

/// One `ExportTraceServiceRequest` body holding `spans`, grouped by instrumentation scope.
std::string encode_otlp_json(const resource_attributes& resource,
                             const std::vector<span_record>& spans);

/// One attribute value as an OTLP `AnyValue` object (for reuse by the admin API).
void append_otlp_value(std::string& out, const attribute_value& value);

}  // namespace berth::telemetry
