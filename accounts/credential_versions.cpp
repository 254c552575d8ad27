// The one query per tick of the terminal WebSockets' credential watch
// (http/credential_watch.hpp): it must cost the same whether one socket or thousands are open.
#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"
#include "events/pg_connection.hpp"

namespace berth::accounts {

result<account_service::credential_versions> account_service::credential_versions_of(
    const std::vector<std::string>& user_ids, const std::vector<std::string>& session_ids) {
  events::array_literal users;
  for (const auto& id : user_ids)
    users.add(id);
  events::array_literal sessions;
  for (const auto& id : session_ids)
    sessions.add(id);
  return impl_->sql([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    // A user without a stream gets version 0, as in authenticate_session; the second part
    // has a null user id, so the two kinds of rows cannot be mistaken for each other.
    const auto rows =
        events::exec_prepared(tx, "credential_versions",
                              "SELECT u.user_id, coalesce(s.version, 0), NULL::text "
                              "FROM unnest($1::text[]) AS u(user_id) "
                              "LEFT JOIN es_streams s ON s.stream_id = 'user-' || u.user_id "
                              "UNION ALL "
                              "SELECT NULL::text, NULL::bigint, jti FROM auth_revoked_sessions "
                              "WHERE jti = ANY($2::text[])",
                              std::move(users).finish(), std::move(sessions).finish());
    credential_versions out;
    for (const auto& row : rows) {
      if (row[0].is_null()) {
        out.revoked_session_ids.emplace_back(row[2].c_str());
      } else {
        out.user_versions[row[0].c_str()] = row[1].as<std::int64_t>();
      }
    }
    return out;
  });
}

}  // namespace berth::accounts
