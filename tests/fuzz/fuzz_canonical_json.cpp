// Fuzzes the canonical JSON used by the hash chain: it must never crash, and canonicalising
// its own output must change nothing (otherwise `audit verify` would flag honest events).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "events/canonical_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto once = berth::events::canonical_json(input);
  if (!once) return 0;
  const auto twice = berth::events::canonical_json(*once);
  if (!twice || *twice != *once) std::abort();
  return 0;
}
