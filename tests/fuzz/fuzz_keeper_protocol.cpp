// libFuzzer target for the keeper frame codec: arbitrary bytes through the incremental decoder
// (in uneven pieces, both modes) and every decoded frame through the message parser. A parsed
// message must re-encode to a frame that parses back to the same message.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "docker/keeper/messages.hpp"
#include "docker/keeper/protocol.hpp"

namespace {

using namespace berth::keeper;

void check_round_trip(const message& parsed) {
  const std::string encoded = encode_message(parsed);
  frame_decoder decoder;
  decoder.feed(encoded);
  decode_step step = decoder.next();
  auto* again = std::get_if<frame>(&step);
  if (again == nullptr) {
    // Re-encoding may exceed the size limit only if the input already did; it cannot.
    std::abort();
  }
  parse_result reparsed = parse_message(*again);
  if (!std::holds_alternative<message>(reparsed) || !(std::get<message>(reparsed) == parsed)) {
    std::abort();
  }
}

void run(std::string_view input, decoder_options options) {
  frame_decoder decoder(options);
  std::size_t position = 0;
  std::size_t piece = 1;
  while (position < input.size()) {
    // Uneven pieces exercise every way a frame can straddle two reads.
    const std::size_t take = std::min(piece, input.size() - position);
    decoder.feed(input.substr(position, take));
    position += take;
    piece = piece * 3 % 17 + 1;
    while (true) {
      decode_step step = decoder.next();
      if (auto* f = std::get_if<frame>(&step)) {
        parse_result parsed = parse_message(*f);
        if (auto* m = std::get_if<message>(&parsed)) check_round_trip(*m);
        continue;
      }
      if (std::holds_alternative<decode_error>(step)) return;
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // A small payload limit lets the fuzzer reach frame_too_large without megabyte inputs.
  run(input, decoder_options{.max_payload = 4096});
  run(input, decoder_options{.max_payload = 4096, .expect_hello = true, .max_preamble = 256});
  return 0;
}
