#include "tests/api/audit_fixture.hpp"

#include <gtest/gtest.h>

namespace berth::testing {

using namespace std::chrono_literals;

std::vector<boost::json::value> audit_test::entries(api_client& client, const std::string& query) {
  const auto reply = client.call("GET", "/api/audit" + query);
  EXPECT_EQ(reply.status, 200) << query << " " << reply.body;
  if (reply.status != 200 || !reply.json.is_object()) return {};
  const auto& rows = reply.json.at("entries").as_array();
  return {rows.begin(), rows.end()};
}

bool audit_test::wait_for_entry(api_client& client, const std::string& action,
                                const std::string& resource_id) {
  return wait_until(
      [&] { return contains(entries(client, "?limit=500&action=" + action), action, resource_id); },
      10s);
}

boost::json::value find_entry(const std::vector<boost::json::value>& entries,
                              const std::string& action, const std::string& resource_id) {
  for (const auto& entry : entries) {
    if (text_of(entry, "action") == action && text_of(entry, "resource_id") == resource_id) {
      return entry;
    }
  }
  return nullptr;
}

bool contains(const std::vector<boost::json::value>& entries, const std::string& action,
              const std::string& resource_id) {
  return !find_entry(entries, action, resource_id).is_null();
}

}  // namespace berth::testing
