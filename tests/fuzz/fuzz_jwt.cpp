// Fuzzes JWT verification. The raw input, taken as a token, must be rejected without a crash
// (a fuzzer cannot forge the signature). Then the input is split at its first newline into
// header and payload JSON and correctly signed, to reach the header and claims parsers: a
// token that verifies must sign again and verify to the same claims.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/digest.hpp"
#include "auth/encoding.hpp"
#include "auth/jwt.hpp"

namespace {

constexpr std::string_view secret = "a fuzzing secret of at least 32 bytes";
const std::chrono::system_clock::time_point now{std::chrono::seconds{1'700'000'000}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth::auth;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)verify_jwt(input, secret, now);

  const auto newline = input.find('\n');
  const std::string_view header =
      newline == std::string_view::npos ? R"({"alg":"HS256"})" : input.substr(0, newline);
  const std::string_view payload =
      newline == std::string_view::npos ? input : input.substr(newline + 1);
  std::string token = base64url_encode(header) + "." + base64url_encode(payload);
  token += "." + base64url_encode(hmac_sha256(secret, token));
  const auto claims = verify_jwt(token, secret, now);
  if (!claims) return 0;
  const auto again = sign_jwt(*claims, secret);
  // Claims that verified are valid, so signing can fail only on the 4 KiB size limit.
  if (!again) {
    if (again.error().code != error_code::invalid_claims) std::abort();
    return 0;
  }
  const auto back = verify_jwt(*again, secret, now);
  if (!back || *back != *claims) std::abort();
  return 0;
}
