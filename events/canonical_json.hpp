#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::events {

/// The canonical text of a JSON document: object keys sorted, no whitespace, integral
/// numbers written as integers. PostgreSQL's jsonb keeps neither key order nor number
/// spelling, so the hash chain is computed over this form, which `verify` can recompute
/// from the stored value (canonical(jsonb text) == canonical(original text)).
/// Returns nothing when `json` is not valid JSON.
std::optional<std::string> canonical_json(std::string_view json);

}  // namespace berth::events
