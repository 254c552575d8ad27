#include "telemetry/trace_context.hpp"

#include <algorithm>
#include <random>

#include <sys/random.h>

namespace berth::telemetry {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <std::size_t N>
bool all_zero(const std::array<std::uint8_t, N>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

/// xoshiro256** seeded once per thread from getrandom(2): ids need uniqueness, not secrecy,
/// and a span is made on every request.
class id_generator {
 public:
  id_generator() {
    if (getrandom(state_, sizeof state_, 0) != static_cast<ssize_t>(sizeof state_)) {
      std::random_device device;
      for (auto& word : state_)
        word = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
    if (state_[0] == 0 && state_[1] == 0 && state_[2] == 0 && state_[3] == 0) state_[0] = 1;
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

template <std::size_t N>
void fill_random(std::array<std::uint8_t, N>& bytes) {
  thread_local id_generator generator;
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      const auto word = generator.next();
      for (std::size_t k = 0; k < 8 && i + k < N; ++k)
        bytes[i + k] = static_cast<std::uint8_t>(word >> (8 * k));
    }
  } while (all_zero(bytes));
}

}  // namespace

bool trace_context::valid() const {
  return !all_zero(trace) && !all_zero(span);
}

std::string trace_context::trace_id_hex() const {
  return valid() ? to_hex(trace.data(), trace.size()) : std::string();
}

std::string trace_context::span_id_hex() const {
  return valid() ? to_hex(span.data(), span.size()) : std::string();
}

std::string to_hex(const std::uint8_t* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    text[2 * i] = digits[bytes[i] >> 4];
    text[2 * i + 1] = digits[bytes[i] & 0x0f];
  }
  return text;
}

bool from_hex(std::string_view text, std::uint8_t* bytes, std::size_t size) {
  if (text.size() != size * 2) return false;
  for (std::size_t i = 0; i < size; ++i) {
    const int high = hex_value(text[2 * i]), low = hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

// trace-context section 3.2: version "-" trace-id "-" parent-id "-" trace-flags, 2+32+16+2
// lowercase hex digits; section 4.3 (versioning): a newer version is parsed as version 00
// when its first 55 characters fit and the 56th, if any, is a dash.
std::optional<trace_context> parse_traceparent(std::string_view header) {
  constexpr std::size_t length = 55;
  if (header.size() < length) return std::nullopt;
  std::uint8_t version = 0;
  if (!from_hex(header.substr(0, 2), &version, 1) || version == 0xff) return std::nullopt;
  if (version == 0 ? header.size() != length : header.size() > length && header[length] != '-') {
    return std::nullopt;
  }
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  trace_context context;
  if (!from_hex(header.substr(3, 32), context.trace.data(), context.trace.size()) ||
      !from_hex(header.substr(36, 16), context.span.data(), context.span.size()) ||
      !from_hex(header.substr(53, 2), &context.flags, 1) || !context.valid()) {
    return std::nullopt;
  }
  return context;
}

std::string format_traceparent(const trace_context& context) {
  if (!context.valid()) return {};
  return "00-" + context.trace_id_hex() + "-" + context.span_id_hex() + "-" +
         to_hex(&context.flags, 1);
}

trace_id new_trace_id() {
  trace_id id;
  fill_random(id);
  return id;
}

span_id new_span_id() {
  span_id id;
  fill_random(id);
  return id;
}

}  // namespace berth::telemetry
