#pragma once

#include <map>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "tests/support/berth_server.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::testing {

/// A server on the test's database with four users: members `alice` and `bob`, auditor
/// `audrey` and admin `ada`, each logged in (password `<name>-password`).
class api_test : public pg_test {
 protected:
  void SetUp() override;
  void TearDown() override;
  /// Environment of the server beyond the database and instance (fixtures add settings).
  virtual std::map<std::string, std::string> server_environment() const;

  /// Creates a workspace as `owner`; `start` false keeps Docker out of it.
  boost::json::object create_workspace(api_client& owner, const std::string& name, bool start);
  /// The user id of a logged-in client.
  std::string user_id_of(api_client& client);
  /// Polls GET /api/workspaces/{id} until its state is `state`.
  bool wait_for_state(api_client& client, const std::string& id, const std::string& state,
                      std::chrono::milliseconds timeout);

  std::unique_ptr<berth_server> server_;
  std::unique_ptr<api_client> alice_, bob_, audrey_, ada_, anonymous_;
};

/// `"key"` of a JSON object value as text ("" when missing or not a string).
std::string text_of(const boost::json::value& value, const std::string& key);

}  // namespace berth::testing
