#include "auth/error.hpp"

#include <ostream>

namespace berth::auth {

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::password_too_short:
      return "password_too_short";
    case error_code::password_too_long:
      return "password_too_long";
    case error_code::password_not_utf8:
      return "password_not_utf8";
    case error_code::wrong_password:
      return "wrong_password";
    case error_code::malformed_password_hash:
      return "malformed_password_hash";
    case error_code::malformed_token:
      return "malformed_token";
    case error_code::token_too_large:
      return "token_too_large";
    case error_code::unsupported_algorithm:
      return "unsupported_algorithm";
    case error_code::bad_signature:
      return "bad_signature";
    case error_code::token_expired:
      return "token_expired";
    case error_code::invalid_claims:
      return "invalid_claims";
    case error_code::invalid_encoding:
      return "invalid_encoding";
    case error_code::invalid_key:
      return "invalid_key";
    case error_code::decryption_failed:
      return "decryption_failed";
    case error_code::unsupported_version:
      return "unsupported_version";
    case error_code::invalid_secret_name:
      return "invalid_secret_name";
    case error_code::value_too_large:
      return "value_too_large";
    case error_code::internal:
      return "internal";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, error_code code) {
  return out << to_string(code);
}

}  // namespace berth::auth
