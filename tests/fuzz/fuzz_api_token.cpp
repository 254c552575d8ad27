// Fuzzes API token parsing: any input must be parsed or rejected without a crash, a token
// that parses must spell back to exactly the input (one spelling per token), and any input
// taken as a stored hash must be compared without a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/api_token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth::auth;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)verify_token_secret("some secret", input);
  const auto token = parse_api_token(input);
  if (!token) return 0;
  if (format_api_token(*token) != input) std::abort();
  if (!verify_token_secret(token->secret, hash_token_secret(token->secret))) std::abort();
  return 0;
}
