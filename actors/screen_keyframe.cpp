#include "actors/screen_keyframe.hpp"

#include "actors/screen_model.hpp"

namespace berth::actors {
namespace {

// "BKF" and the layout's number; then offset, version (8 bytes each), rows, cols (4 each),
// all little-endian, then the VT text to the end.
constexpr std::string_view magic = "BKF1";
constexpr std::size_t header_bytes = 4 + 8 + 8 + 4 + 4;

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t take(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= std::uint64_t{static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)])}
             << (8 * i);
  return value;
}

}  // namespace

bool keyframe_due(std::int64_t interpreted_since, bool alt_screen) {
  return interpreted_since >= (alt_screen ? keyframe_interval_on_alt_screen : keyframe_interval);
}

keyframe_cadence::keyframe_cadence(std::int64_t newest_offset)
    : newest_offset_(newest_offset), next_look_(newest_offset + keyframe_interval) {}

bool keyframe_cadence::worth_looking(std::int64_t offset) const {
  return !held_ && offset >= next_look_;
}

bool keyframe_cadence::due(std::int64_t offset, bool alt_screen) {
  if (keyframe_due(offset - newest_offset_, alt_screen)) return true;
  next_look_ = offset + keyframe_interval;
  return false;
}

void keyframe_cadence::hold(screen_keyframe keyframe) {
  newest_offset_ = keyframe.offset;
  next_look_ = keyframe.offset + keyframe_interval;
  held_ = std::move(keyframe);
}

std::optional<screen_keyframe> keyframe_cadence::take_committed(std::int64_t committed_version) {
  if (!held_ || held_->version > committed_version) return std::nullopt;
  auto ready = std::move(held_);
  held_.reset();
  return ready;
}

std::string encode_keyframe(const screen_keyframe& keyframe) {
  std::string out;
  out.reserve(header_bytes + keyframe.vt.size());
  out += magic;
  put(out, static_cast<std::uint64_t>(keyframe.offset), 8);
  put(out, static_cast<std::uint64_t>(keyframe.version), 8);
  put(out, static_cast<std::uint32_t>(keyframe.rows), 4);
  put(out, static_cast<std::uint32_t>(keyframe.cols), 4);
  out += keyframe.vt;
  return out;
}

std::optional<screen_keyframe> decode_keyframe(std::string_view stored) {
  if (stored.size() < header_bytes || !stored.starts_with(magic)) return std::nullopt;
  if (stored.size() - header_bytes > max_keyframe_vt_bytes) return std::nullopt;
  screen_keyframe keyframe;
  keyframe.offset = static_cast<std::int64_t>(take(stored, 4, 8));
  keyframe.version = static_cast<std::int64_t>(take(stored, 12, 8));
  keyframe.rows = static_cast<std::int32_t>(take(stored, 20, 4));
  keyframe.cols = static_cast<std::int32_t>(take(stored, 24, 4));
  const auto dimension_ok = [](int value) {
    return value >= 1 && value <= screen_model::max_dimension;
  };
  if (keyframe.offset < 0 || keyframe.version < 1 || !dimension_ok(keyframe.rows) ||
      !dimension_ok(keyframe.cols)) {
    return std::nullopt;
  }
  keyframe.vt.assign(stored.substr(header_bytes));
  return keyframe;
}

}  // namespace berth::actors
