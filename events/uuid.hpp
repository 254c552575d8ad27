#pragma once

#include <string>

namespace berth::events {

/// A new RFC 9562 version 7 UUID (time-ordered, so inserts stay local in the index).
std::string make_uuid_v7();

/// True for the canonical 8-4-4-4-12 lowercase or uppercase hex form.
bool is_uuid(const std::string& text);

}  // namespace berth::events
