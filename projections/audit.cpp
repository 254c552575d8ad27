#include "projections/audit.hpp"

#include <cstdio>
#include <ctime>

#include "projections/event_fields.hpp"

namespace berth::projections {

std::string timestamp_literal(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(at.time_since_epoch()).count();
  // Floor division, so instants before 1970 keep a non-negative fraction.
  auto seconds = micros / 1'000'000;
  auto fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    seconds -= 1;
  }
  const auto whole = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(fraction));
  return text;
}

changes apply_audit_event(const events::recorded_event& event) {
  // Terminal bytes are the session recording, not an audit trail: millions of rows that
  // would drown the actions auditors look for.
  if (event.type == "OutputRecorded" || event.type == "InputRecorded") {
    return std::vector<row_change>{};
  }
  const json_fields metadata(event.metadata);
  return std::vector<row_change>{
      {"INSERT INTO rm_audit_log (global_pos, event_id, recorded_at, actor, action, "
       "resource_type, resource_id, stream_version, remote_address, trace_id, details) "
       "VALUES ($1, $2::uuid, $3::timestamptz, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) "
       "ON CONFLICT (global_pos) DO NOTHING",
       {integer_param(event.global_position), event.event_id, timestamp_literal(event.recorded_at),
        metadata.optional_text("actor"), event.type, events::stream_type_of(event.stream_id),
        entity_id_of(event), integer_param(event.stream_version),
        metadata.optional_text("remote_address"), metadata.optional_text("trace_id"), event.data}}};
}

}  // namespace berth::projections
