#pragma once

#include <string_view>

namespace berth::auth {

/// True when `a` and `b` hold the same bytes, in time that depends only on their lengths
/// (lengths are not secret: tokens, tags and hashes have fixed public sizes).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace berth::auth
