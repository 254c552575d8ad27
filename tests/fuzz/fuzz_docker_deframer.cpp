// libFuzzer target for the Docker multiplex deframer (docker/multiplex_deframer.hpp).
// The first input byte picks how the rest is split into feeds, so the fuzzer explores both
// hostile frame contents and every way the network might fragment them. Checked properties:
// no crash or UB, pieces are non-empty in-bounds sub-views of the fed chunk, an error is
// sticky, and the payload delivered never exceeds the bytes fed.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "docker/multiplex_deframer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t stride = data[0] % 17 + 1;
  std::string_view input{reinterpret_cast<const char*>(data + 1), size - 1};

  berth::docker::multiplex_deframer deframer;
  std::size_t payload_bytes = 0;
  bool failed = false;
  while (!input.empty()) {
    auto chunk = input.substr(0, stride);
    input.remove_prefix(chunk.size());
    auto result = deframer.feed(chunk);
    for (const auto& piece : result.pieces) {
      if (piece.bytes.empty()) std::abort();
      if (piece.bytes.data() < chunk.data() ||
          piece.bytes.data() + piece.bytes.size() > chunk.data() + chunk.size()) {
        std::abort();
      }
      if (static_cast<std::uint8_t>(piece.stream) > 2) std::abort();
      payload_bytes += piece.bytes.size();
    }
    // Once failed, a deframer must stay failed and deliver nothing more.
    if (failed && (!result.failure || !result.pieces.empty())) std::abort();
    failed = result.failure.has_value();
  }
  if (payload_bytes > size - 1) std::abort();
  return 0;
}
