#pragma once

// The HS256 secret that signs session cookies, which the server needs before it can serve.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/accounts.hpp"

namespace berth::accounts {

/// The session-signing secret: `from_environment` (BERTH_AUTH_SECRET) when given — refused
/// when shorter than 32 bytes — else the 32 random bytes in `<data_dir>/auth-secret` (64 hex
/// characters, mode 0600), created on first start. Every node sharing a database must
/// share it, or each would refuse the others' cookies.
result<std::string> load_or_create_jwt_secret(const std::filesystem::path& data_dir,
                                              std::optional<std::string_view> from_environment);

/// The same, reading BERTH_AUTH_SECRET from the process environment.
result<std::string> load_or_create_jwt_secret(const std::filesystem::path& data_dir);

}  // namespace berth::accounts
