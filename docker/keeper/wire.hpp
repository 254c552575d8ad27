#pragma once
// Big-endian primitives of the keeper protocol payloads (docs/keeper-protocol.md, "Types").

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::keeper {

/// Appends payload fields to a byte string.
class wire_writer {
 public:
  explicit wire_writer(std::string& out) : out_(out) {}

  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u16(std::uint16_t value) { big_endian(value, 2); }
  void u32(std::uint32_t value) { big_endian(value, 4); }
  void u64(std::uint64_t value) { big_endian(value, 8); }
  /// Bytes of a width both sides know, without a length.
  void fixed(std::string_view value) { out_.append(value); }
  /// A u32 length followed by the bytes.
  void bytes(std::string_view value) {
    u32(static_cast<std::uint32_t>(value.size()));
    out_.append(value);
  }

 private:
  void big_endian(std::uint64_t value, int width) {
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
      out_.push_back(static_cast<char>(value >> shift));
    }
  }

  std::string& out_;
};

/// Reads payload fields; after the first short read every read yields zero and ok() is false,
/// so a parser checks once at the end instead of after each field.
class wire_reader {
 public:
  explicit wire_reader(std::string_view data) : data_(data) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(big_endian(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(big_endian(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(big_endian(4)); }
  std::uint64_t u64() { return big_endian(8); }
  /// The next width bytes, viewed in place.
  std::string_view fixed(std::size_t width) {
    if (!ok_ || width > remaining()) return fail_view();
    std::string_view value = data_.substr(position_, width);
    position_ += width;
    return value;
  }
  /// A u32 length followed by that many bytes, viewed in place.
  std::string_view bytes() {
    const std::uint32_t length = u32();
    if (!ok_ || length > remaining()) return fail_view();
    std::string_view value = data_.substr(position_, length);
    position_ += length;
    return value;
  }
  /// A u32 count that must not exceed what the remaining bytes could hold at min_item_size each;
  /// stops hostile counts from driving allocation.
  std::uint32_t count(std::size_t min_item_size) {
    const std::uint32_t value = u32();
    if (ok_ && min_item_size > 0 && value > remaining() / min_item_size) {
      ok_ = false;
      return 0;
    }
    return value;
  }

  bool ok() const { return ok_; }
  /// True when every byte was consumed without a short read.
  bool finished() const { return ok_ && position_ == data_.size(); }
  std::size_t remaining() const { return data_.size() - position_; }

 private:
  std::uint64_t big_endian(std::size_t width) {
    if (!ok_ || remaining() < width) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = value << 8 | static_cast<unsigned char>(data_[position_ + i]);
    }
    position_ += width;
    return value;
  }
  std::string_view fail_view() {
    ok_ = false;
    return {};
  }

  std::string_view data_;
  std::size_t position_ = 0;
  bool ok_ = true;
};

}  // namespace berth::keeper
