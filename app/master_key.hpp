#pragma once

#include <string>

#include <tl/expected.hpp>

#include "auth/key.hpp"

namespace berth::app {

/// The key that wraps every user's secret key: `BERTH_MASTER_KEY` when set (64 hex characters
/// or base64), else `<data_dir>/master-key`, generated (mode 0600) on first start so a local
/// set-up works out of the box. Production deployments should set the variable from a vault.
tl::expected<auth::secret_key, std::string> load_master_key(const std::string& data_dir);

}  // namespace berth::app
