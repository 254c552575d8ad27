#include "auth/digest.hpp"

#include <cstdio>
#include <cstdlib>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace berth::auth {

namespace {

// Both OpenSSL calls fail only on allocation failure or a broken provider set-up: nothing a
// caller could handle, and a wrong digest would be a silent security bug.
[[noreturn]] void digest_failed(const char* what) {
  std::fprintf(stderr, "berth::auth: %s failed\n", what);
  std::abort();
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string digest(sha256_size, '\0');
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), &size,
                 EVP_sha256(), nullptr) != 1 ||
      size != sha256_size)
    digest_failed("SHA-256");
  return digest;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // RFC 2104 hashes keys longer than the 64-byte block first; doing it here gives the same tag
  // and keeps the length within OpenSSL's `int` parameter.
  if (key.size() > 64) return hmac_sha256(sha256(key), data);
  std::string tag(sha256_size, '\0');
  unsigned int size = 0;
  // HMAC() with a null key pointer returns an error even for a zero-length key.
  static constexpr unsigned char empty_key = 0;
  const auto* key_bytes =
      key.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(key.data());
  if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(tag.data()), &size) == nullptr ||
      size != sha256_size)
    digest_failed("HMAC-SHA-256");
  return tag;
}

}  // namespace berth::auth
