#include "auth/random.hpp"

#include <cstdio>
#include <cstdlib>

#include <sodium.h>

namespace berth::auth {

void ensure_sodium_initialized() {
  // A function-local static is initialised once even when threads race here (C++11 magic
  // statics). sodium_init fails only when the OS cannot provide randomness; carrying on would
  // hand out predictable keys and tokens, so this is the one place that aborts.
  static const bool initialized = [] {
    if (sodium_init() < 0) {
      std::fputs("berth::auth: sodium_init failed, no source of randomness\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)initialized;
}

std::string random_bytes(std::size_t count) {
  ensure_sodium_initialized();
  std::string bytes(count, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

std::string random_id(std::size_t length) {
  ensure_sodium_initialized();
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr std::uint32_t alphabet_size = sizeof(alphabet) - 1;
  std::string id(length, '\0');
  // randombytes_uniform rejects out-of-range draws, so no character is more likely than another.
  for (auto& c : id)
    c = alphabet[randombytes_uniform(alphabet_size)];
  return id;
}

}  // namespace berth::auth
