// libFuzzer target for the terminal WebSocket codec: the same bytes as a client text frame,
// a client binary frame, a server text frame, an output frame and a `from` parameter. Nothing
// may throw; whatever parses must hold its documented bounds and survive a round trip.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "terminal/protocol.hpp"

namespace {

using namespace berth::terminal;

void check_client_text(std::string_view input) {
  auto parsed = parse_client_text(input);
  if (!parsed) return;
  // Only frames within the limit are parsed at all.
  if (input.size() > max_client_text_size) std::abort();
  if (const auto* resize = std::get_if<resize_message>(&*parsed)) {
    if (resize->cols < min_cols || resize->cols > max_cols) std::abort();
    if (resize->rows < min_rows || resize->rows > max_rows) std::abort();
  }
  if (const auto* ack = std::get_if<ack_message>(&*parsed)) {
    if (ack->offset < 0) std::abort();
  }
  auto again = parse_client_text(encode_client_message(*parsed));
  if (!again || !(*again == *parsed)) std::abort();
}

void check_server_text(std::string_view input) {
  auto parsed = parse_server_text(input);
  if (!parsed) return;
  if (const auto* attached = std::get_if<attached_message>(&*parsed)) {
    if (attached->from < 0 || attached->to < attached->from) std::abort();
  }
  auto again = parse_server_text(encode_server_message(*parsed));
  if (!again || !(*again == *parsed)) std::abort();
}

void check_output(std::string_view input) {
  auto decoded = decode_output(input);
  if (!decoded) return;
  if (decoded->offset < 0) std::abort();
  if (encode_output(decoded->offset, decoded->bytes) != input) std::abort();
}

void check_resume(std::string_view input) {
  auto offset = parse_resume_offset(input);
  if (!offset) return;
  if (*offset < 0 || input.empty()) std::abort();
  // Any valid offset against any window is a plan or a typed error, and a plan never starts
  // beyond the end or before what is held.
  const std::int64_t end = static_cast<std::int64_t>(input.size()) * 1000;
  const std::int64_t oldest_held = end / 2;
  auto plan = plan_resume(*offset, oldest_held, end);
  if (!plan) return;
  if (const auto* replay = std::get_if<exact_replay>(&*plan)) {
    if (replay->from < oldest_held || replay->from > end) std::abort();
  } else if (std::get<snapshot_then_live>(*plan).from != end) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_client_text(input);
  (void)check_client_input(input);
  check_server_text(input);
  check_output(input);
  check_resume(input);
  return 0;
}
