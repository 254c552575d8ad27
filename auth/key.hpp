#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "auth/error.hpp"

namespace berth::auth {

/// A 32-byte AES-256 key (the master key or a user's data key) that wipes its bytes when
/// destroyed or moved from, so keys do not linger in freed memory.
class secret_key {
 public:
  /// Key size in bytes.
  static constexpr std::size_t size = 32;

  /// Copies exactly 32 bytes into a key; `invalid_key` for any other size.
  static result<secret_key> from_bytes(std::string_view bytes);

  /// Copies the key; each copy wipes itself when destroyed.
  secret_key(const secret_key& other) = default;
  /// Copies the key; each copy wipes itself when destroyed.
  secret_key& operator=(const secret_key& other) = default;
  /// Copies the key and wipes the source.
  secret_key(secret_key&& other) noexcept;
  /// Copies the key and wipes the source.
  secret_key& operator=(secret_key&& other) noexcept;
  /// Wipes the key bytes.
  ~secret_key();

  /// The raw key bytes, valid while this key lives.
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  /// The raw key bytes for OpenSSL calls.
  const unsigned char* data() const { return bytes_.data(); }

 private:
  secret_key() = default;

  std::array<unsigned char, size> bytes_{};
};

/// A new random key from the operating system's CSPRNG.
secret_key generate_key();

/// Reads `BERTH_MASTER_KEY`: 64 hex characters or 44 characters of padded standard base64,
/// surrounding whitespace ignored. The error names the expected forms, never the input.
result<secret_key> parse_master_key(std::string_view text);

}  // namespace berth::auth
