#include "docker/keeper/protocol.hpp"

#include <algorithm>

namespace berth::keeper {
namespace {

/// Bytes that can only start a hello frame: its type byte followed by the magic.
std::string hello_signature() {
  std::string signature(1, static_cast<char>(frame_type::hello));
  signature += hello_magic;
  return signature;
}

std::uint32_t read_u32(const char* p) {
  auto byte = [p](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
  return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

/// The buffer is compacted only past this much consumed data, so small frames cost no memmove.
constexpr std::size_t compact_threshold = 64 * 1024;

}  // namespace

bool is_known_frame_type(std::uint8_t value) {
  switch (static_cast<frame_type>(value)) {
    case frame_type::hello:
    case frame_type::open:
    case frame_type::attach:
    case frame_type::input:
    case frame_type::resize:
    case frame_type::ack:
    case frame_type::list:
    case frame_type::close:
    case frame_type::detach:
    case frame_type::opened:
    case frame_type::attached:
    case frame_type::gap:
    case frame_type::output:
    case frame_type::exited:
    case frame_type::session_list:
    case frame_type::closed:
    case frame_type::detached:
    case frame_type::error:
      return true;
  }
  return false;
}

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::malformed_frame:
      return "malformed_frame";
    case error_code::frame_too_large:
      return "frame_too_large";
    case error_code::unknown_frame_type:
      return "unknown_frame_type";
    case error_code::unknown_session:
      return "unknown_session";
    case error_code::session_exists:
      return "session_exists";
    case error_code::invalid_argument:
      return "invalid_argument";
    case error_code::spawn_failed:
      return "spawn_failed";
    case error_code::offset_out_of_range:
      return "offset_out_of_range";
    case error_code::session_not_running:
      return "session_not_running";
    case error_code::limit_reached:
      return "limit_reached";
    case error_code::missing_hello:
      return "missing_hello";
    case error_code::io_error:
      return "io_error";
  }
  return "unknown_error";
}

bool is_fatal(error_code code) {
  return code == error_code::malformed_frame || code == error_code::frame_too_large ||
         code == error_code::unknown_frame_type || code == error_code::missing_hello;
}

frame_decoder::frame_decoder(decoder_options options) : options_(options) {}

void frame_decoder::feed(std::string_view bytes) {
  if (std::holds_alternative<decode_error>(failure_)) return;
  buffer_.append(bytes);
}

decode_step frame_decoder::next() {
  if (const auto* failure = std::get_if<decode_error>(&failure_)) return *failure;
  if (options_.expect_hello && !hello_seen_) {
    if (!skip_preamble()) {
      if (const auto* failure = std::get_if<decode_error>(&failure_)) return *failure;
      return need_more{};
    }
  }
  const std::size_t available = buffered();
  if (available < frame_header_size) return need_more{};
  const char* start = buffer_.data() + read_position_;
  const std::uint32_t length = read_u32(start);
  if (length > options_.max_payload) {
    return fail(error_code::frame_too_large, "frame announces " + std::to_string(length) +
                                                 " payload bytes, limit is " +
                                                 std::to_string(options_.max_payload));
  }
  if (available < frame_header_size + length) return need_more{};
  frame result;
  result.type = static_cast<std::uint8_t>(start[4]);
  result.payload.assign(start + frame_header_size, length);
  read_position_ += frame_header_size + length;
  hello_seen_ = true;
  compact();
  return result;
}

decode_step frame_decoder::fail(error_code code, std::string message) {
  failure_ = decode_error{code, std::move(message)};
  buffer_.clear();
  buffer_.shrink_to_fit();
  read_position_ = 0;
  return std::get<decode_error>(failure_);
}

bool frame_decoder::skip_preamble() {
  static const std::string signature = hello_signature();
  // The signature sits after the four length bytes of the hello frame.
  const std::string_view held(buffer_.data() + read_position_, buffered());
  const std::size_t found = held.find(signature, std::min<std::size_t>(4, held.size()));
  std::size_t skip = 0;
  if (found != std::string_view::npos) {
    skip = found - 4;
  } else if (held.size() > signature.size() + 3) {
    // Keep only a tail that could still be the start of a hello frame.
    skip = held.size() - (signature.size() + 3);
  }
  preamble_.append(held.substr(0, skip));
  read_position_ += skip;
  compact();
  if (preamble_.size() > options_.max_preamble) {
    fail(error_code::missing_hello,
         "no hello frame within the first " + std::to_string(options_.max_preamble) + " bytes");
    return false;
  }
  if (found == std::string_view::npos) return false;
  hello_seen_ = true;
  return true;
}

void frame_decoder::compact() {
  if (read_position_ == buffer_.size()) {
    buffer_.clear();
    read_position_ = 0;
  } else if (read_position_ > compact_threshold && read_position_ * 2 > buffer_.size()) {
    buffer_.erase(0, read_position_);
    read_position_ = 0;
  }
}

void append_frame(std::string& out, frame_type type, std::string_view payload) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>(length >> 24));
  out.push_back(static_cast<char>(length >> 16));
  out.push_back(static_cast<char>(length >> 8));
  out.push_back(static_cast<char>(length));
  out.push_back(static_cast<char>(type));
  out.append(payload);
}

bool is_valid_session_id(std::string_view id) {
  if (id.empty() || id.size() > max_session_id_size) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace berth::keeper
