// Fuzzes the W3C traceparent parser: any input is either rejected or parsed into a valid
// context whose re-emitted version-00 header parses back to the same context (the round
// trip the server does when it answers with `traceparent`).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telemetry/trace_context.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth::telemetry;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_traceparent(input);
  if (!parsed) return 0;
  if (!parsed->valid()) std::abort();
  const auto header = format_traceparent(*parsed);
  if (header.size() != 55) std::abort();
  const auto again = parse_traceparent(header);
  if (!again || !(*again == *parsed)) std::abort();
  return 0;
}
