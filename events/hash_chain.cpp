#include "events/hash_chain.hpp"

#include <array>
#include <cstdint>
#include <memory>

#include <openssl/evp.h>

namespace berth::events {
namespace {

void update_with_length(EVP_MD_CTX* context, std::string_view field) {
  std::array<unsigned char, 8> length{};
  const auto size = static_cast<std::uint64_t>(field.size());
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<unsigned char>(size >> (8 * (7 - i)));
  EVP_DigestUpdate(context, length.data(), length.size());
  EVP_DigestUpdate(context, field.data(), field.size());
}

}  // namespace

std::string event_hash(std::string_view prev_hash, std::string_view type,
                       std::string_view canonical_data, std::string_view canonical_metadata,
                       const std::optional<std::string>& body) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  update_with_length(context.get(), prev_hash);
  update_with_length(context.get(), type);
  update_with_length(context.get(), canonical_data);
  update_with_length(context.get(), canonical_metadata);
  const unsigned char has_body = body ? 1 : 0;
  EVP_DigestUpdate(context.get(), &has_body, 1);
  update_with_length(context.get(), body ? std::string_view(*body) : std::string_view());
  std::string digest(hash_size, '\0');
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest.data()), &length);
  return digest;
}

}  // namespace berth::events
