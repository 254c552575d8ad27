#pragma once

#include <string>

#include <pqxx/pqxx>

namespace berth::testing {

/// Runs SQL on the event log as someone with direct database access would, bypassing the
/// append-only guard (for tests that check the hash chain notices).
inline void tamper(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0("ALTER TABLE es_events DISABLE TRIGGER es_events_append_only");
  tx.exec0(sql);
  tx.exec0("ALTER TABLE es_events ENABLE TRIGGER es_events_append_only");
  tx.commit();
}

}  // namespace berth::testing
