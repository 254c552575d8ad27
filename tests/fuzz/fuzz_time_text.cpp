// Fuzzes the audit time parser (`--at`, `?at=`): any input is refused or accepted without a
// crash, and an accepted time prints as RFC 3339 that reads back to the same microsecond.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/time_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth::audit;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_time(input);
  if (!parsed) return 0;
  if (parsed->time_since_epoch().count() < 0 || milliseconds_of(*parsed) > latest_time_ms) {
    std::abort();  // the parser promised 1970 to 9999
  }
  const auto again = parse_time(format_time(*parsed));
  if (!again || *again != *parsed) std::abort();
  return 0;
}
