#pragma once

#include <string>
#include <utility>

#include "accounts/accounts.hpp"

namespace berth::accounts {

/// Builds the unexpected half of a result.
inline tl::unexpected<error> fail(error::code kind, std::string message) {
  return tl::unexpected(error{kind, std::move(message), 0});
}

}  // namespace berth::accounts
