#include "auth/login_throttle.hpp"

namespace berth::auth {

login_throttle::login_throttle(const login_limits& limits, rate_limiter::clock now)
    : users_(limits.per_user, now), addresses_(limits.per_address, now) {}

rate_decision login_throttle::try_login(std::string_view user_name, std::string_view address) {
  const auto by_address = addresses_.try_attempt(address);
  if (!by_address.allowed) return by_address;
  // When the user is blocked the address keeps its charge: guessing at a locked account from
  // one address is still guessing.
  return users_.try_attempt(user_name);
}

void login_throttle::succeeded(std::string_view user_name, std::string_view address) {
  users_.forgive(user_name);
  addresses_.forgive(address);
}

}  // namespace berth::auth
