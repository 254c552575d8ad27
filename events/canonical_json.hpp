#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::events {

/// The canonical text of a JSON document: object keys sorted (a repeated key keeps its last
/// value), no whitespace, numbers by exact decimal value. PostgreSQL's jsonb keeps neither key
/// order nor number spelling, so the hash chain is computed over this form, which `verify` can
/// recompute from the stored value (canonical(jsonb text) == canonical(original text)). Returns
/// nothing when `json` is not valid JSON.
std::optional<std::string> canonical_json(std::string_view json);

/// The canonical text of a JSON number literal: its exact decimal value as digits without
/// leading or trailing zeros and a power of ten (`100`, `15e-1`, `12345e-303`), so every
/// spelling of one value gives one text. Nothing when the literal is malformed or too large.
std::optional<std::string> canonical_number(std::string_view literal);

}  // namespace berth::events
