#pragma once

#include <string>
#include <vector>

#include "events/error.hpp"

namespace berth::events {

/// One numbered SQL file from migrations/.
struct migration {
  int number;
  std::string file_name;
  std::string sql;
};

/// The migrations compiled into this binary, in order.
const std::vector<migration>& bundled_migrations();

/// What `migrate` did.
struct migrate_report {
  std::vector<std::string> applied;  ///< file names applied by this call
  std::size_t already_applied = 0;
};

/// Applies missing migrations in order, each in its own transaction, recording each file's
/// checksum. An applied file whose text changed is an error. Concurrent callers are
/// serialised by an advisory lock.
result<migrate_report> migrate(const std::string& database_url,
                               const std::vector<migration>& migrations = bundled_migrations());

/// SHA-256 of `text` as lowercase hex.
std::string sha256_hex(const std::string& text);

}  // namespace berth::events
