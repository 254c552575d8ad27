#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "events/event_store.hpp"
#include "projections/runner.hpp"
#include "tests/projections/event_factory.hpp"

namespace berth::projections::testing {

/// Every row of `table` as JSON text, ordered by `order_by`: two tables are equal when
/// these lists are.
inline std::vector<std::string> table_rows(const std::string& url, const std::string& table,
                                           const std::string& order_by) {
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  std::vector<std::string> rows;
  for (const auto& row : tx.exec("SELECT row_to_json(t)::text FROM " + tx.quote_name(table) +
                                 " t ORDER BY " + order_by)) {
    rows.emplace_back(row[0].c_str());
  }
  return rows;
}

/// The key each read-model table is ordered by when compared.
inline std::string key_of(const std::string& table) {
  if (table == "rm_workspaces") return "workspace_id";
  if (table == "rm_audit_log") return "global_pos";
  if (table == "rm_users") return "user_id";
  if (table == "rm_api_tokens") return "token_id";
  if (table == "rm_user_secrets") return "user_id, name";
  if (table == "rm_templates") return "template_id";
  return "session_id";
}

/// One value from the database.
template <class T>
T query_value(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  return tx.exec1(sql)[0].as<T>();
}

/// Runner options for tests: quick retries so failures and recoveries show fast.
inline projection_runner::options runner_options(const std::string& url) {
  projection_runner::options options;
  options.database_url = url;
  options.min_backoff = std::chrono::milliseconds(20);
  options.max_backoff = std::chrono::milliseconds(500);
  return options;
}

/// Appends the sample history; the global position of its last event.
inline std::int64_t append_sample_history(events::event_store& store) {
  std::int64_t last = 0;
  for (auto& request : sample_history()) {
    auto appended = store.append(std::move(request));
    EXPECT_TRUE(appended) << appended.error().message;
    if (appended) last = appended->global_positions.back();
  }
  return last;
}

}  // namespace berth::projections::testing
