#pragma once

#include <cstddef>
#include <string>

namespace berth::auth {

/// Initialises libsodium exactly once, from any thread; every function of this library that
/// needs it calls it, so callers never have to.
void ensure_sodium_initialized();

/// `count` bytes from the operating system's CSPRNG (libsodium `randombytes_buf`).
std::string random_bytes(std::size_t count);

/// A random identifier of `length` characters from [A-Za-z0-9] (about 5.95 bits each), safe
/// in URLs, file names and double-click selection.
std::string random_id(std::size_t length = 12);

}  // namespace berth::auth
