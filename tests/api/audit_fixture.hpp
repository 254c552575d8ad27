#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/api/session_fixture.hpp"

namespace berth::testing {

/// The session fixture with helpers for reading the audit log.
class audit_test : public session_test {
 protected:
  /// The entries of `GET /api/audit<query>` as `client` sees them (the test fails unless 200).
  std::vector<boost::json::value> entries(api_client& client, const std::string& query = "");
  /// Polls the log (as `client`) until it shows `action` on `resource_id`: the audit read model
  /// follows the events a few milliseconds behind the answer that caused them.
  bool wait_for_entry(api_client& client, const std::string& action,
                      const std::string& resource_id);
};

/// The first entry of `action` on `resource_id`, or null.
boost::json::value find_entry(const std::vector<boost::json::value>& entries,
                              const std::string& action, const std::string& resource_id);
/// Whether `entries` hold one of `action` on `resource_id`.
bool contains(const std::vector<boost::json::value>& entries, const std::string& action,
              const std::string& resource_id);

}  // namespace berth::testing
