#include "audit/audit_reader.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "events/connection_pool.hpp"
#include "events/event_store.hpp"

namespace berth::audit {
namespace {

/// Statement parameters; a missing one is SQL NULL, which switches its filter off.
class parameters {
 public:
  void add(const std::optional<std::string>& value) { values_.push_back(value); }
  void add(std::optional<std::int64_t> value) {
    values_.push_back(value ? std::optional(std::to_string(*value)) : std::nullopt);
  }
  pqxx::result run(pqxx::nontransaction& query, const std::string& statement) const {
    std::vector<const char*> pointers;
    // libpqxx 6.4 passes a null `const char*` as SQL NULL.
    for (const auto& value : values_)
      pointers.push_back(value ? value->c_str() : nullptr);
    return query.exec_params(statement, pqxx::prepare::make_dynamic_params(pointers));
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

std::optional<std::string> optional_text(const pqxx::field& field) {
  return field.is_null() ? std::nullopt : std::optional(field.as<std::string>());
}

// $6 is the member's user id (NULL for admins and auditors): rows of their own actions, of
// their workspaces, and of the sessions in their workspaces.
const std::string log_statement = R"SQL(
SELECT a.global_pos, floor(extract(epoch FROM a.recorded_at) * 1000)::bigint AS at_ms,
       coalesce(a.actor, 'system') AS actor, u.username, a.action, a.resource_type,
       a.resource_id,
       CASE a.resource_type WHEN 'workspace' THEN a.resource_id
                            WHEN 'session' THEN s.workspace_id END AS workspace_id,
       a.remote_address, a.trace_id, a.details::text AS details
  FROM rm_audit_log a
  LEFT JOIN rm_users u ON u.user_id = a.actor
  LEFT JOIN rm_sessions s ON a.resource_type = 'session' AND s.session_id = a.resource_id
 WHERE ($1::bigint IS NULL OR a.global_pos < $1)
   AND ($2::text IS NULL OR u.username = $2)
   AND ($3::text IS NULL OR a.action = $3)
   AND ($4::bigint IS NULL OR a.recorded_at >= to_timestamp($4::bigint / 1000.0))
   AND ($5::bigint IS NULL OR a.recorded_at < to_timestamp(($5::bigint + 1) / 1000.0))
   AND ($7::text IS NULL OR (a.resource_type = 'workspace' AND a.resource_id = $7)
                         OR (a.resource_type = 'session' AND s.workspace_id = $7))
   AND ($6::text IS NULL OR a.actor = $6
        OR (a.resource_type = 'workspace' AND a.resource_id IN
              (SELECT workspace_id FROM rm_workspaces WHERE owner_id = $6))
        OR (a.resource_type = 'session' AND s.workspace_id IN
              (SELECT workspace_id FROM rm_workspaces WHERE owner_id = $6)))
 ORDER BY a.global_pos DESC
 LIMIT $8)SQL";

// $4 is the member's user id, as above: sessions in their own workspaces.
const std::string sessions_statement = R"SQL(
SELECT s.session_id, s.workspace_id, w.name AS workspace_name, s.user_id, u.username, s.name,
       s.state, s.cols, s.rows, s.opened_ms, s.closed_ms, s.close_reason, s.exit_status,
       s.output_bytes
  FROM rm_sessions s
  LEFT JOIN rm_workspaces w ON w.workspace_id = s.workspace_id
  LEFT JOIN rm_users u ON u.user_id = s.user_id
 WHERE ($1::bigint IS NULL OR s.opened_ms < $1)
   AND ($2::text IS NULL OR s.workspace_id = $2)
   AND ($3::text IS NULL OR u.username = $3)
   AND ($4::text IS NULL OR w.owner_id = $4)
 ORDER BY s.opened_ms DESC, s.session_id DESC
 LIMIT $5)SQL";

log_entry log_entry_of(const pqxx::row& row) {
  log_entry out;
  out.position = row["global_pos"].as<std::int64_t>();
  out.at_ms = row["at_ms"].as<std::int64_t>();
  out.actor = row["actor"].as<std::string>();
  out.actor_name = optional_text(row["username"]);
  out.action = row["action"].as<std::string>();
  out.resource_type = row["resource_type"].as<std::string>();
  out.resource_id = row["resource_id"].as<std::string>();
  out.workspace_id = optional_text(row["workspace_id"]);
  out.address = optional_text(row["remote_address"]);
  out.trace_id = optional_text(row["trace_id"]);
  out.details = row["details"].as<std::string>();
  return out;
}

session_entry session_entry_of(const pqxx::row& row) {
  session_entry out;
  out.id = row["session_id"].as<std::string>();
  out.workspace_id = row["workspace_id"].as<std::string>();
  out.workspace_name = optional_text(row["workspace_name"]);
  out.user_id = row["user_id"].as<std::string>();
  out.username = optional_text(row["username"]);
  out.name = row["name"].as<std::string>();
  out.state = row["state"].as<std::string>();
  out.cols = row["cols"].as<int>();
  out.rows = row["rows"].as<int>();
  out.opened_ms = row["opened_ms"].as<std::int64_t>();
  if (!row["closed_ms"].is_null()) out.closed_ms = row["closed_ms"].as<std::int64_t>();
  out.close_reason = optional_text(row["close_reason"]);
  if (!row["exit_status"].is_null()) out.exit_status = row["exit_status"].as<int>();
  out.output_bytes = row["output_bytes"].as<std::int64_t>();
  return out;
}

std::optional<std::string> member_of(const viewer& who) {
  return who.sees_everything ? std::nullopt : std::optional(who.user_id);
}

std::string session_stream_of(const std::string& session_id) {
  return "session-" + session_id;
}

}  // namespace

audit_reader::audit_reader(const std::string& database_url, events::event_store& store)
    : store_(store), queries_(std::make_unique<events::connection_pool>(database_url, 2)) {}

audit_reader::~audit_reader() = default;

events::result<log_page> audit_reader::log(const viewer& who, const log_filter& filter) {
  parameters values;
  values.add(filter.before);
  values.add(filter.username);
  values.add(filter.action);
  values.add(filter.since_ms);
  values.add(filter.until_ms);
  values.add(member_of(who));
  values.add(filter.workspace_id);
  values.add(std::optional<std::int64_t>(filter.limit + 1));  // one more: is there a next page?
  return queries_->run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    log_page page;
    for (const auto& row : values.run(query, log_statement))
      page.entries.push_back(log_entry_of(row));
    if (page.entries.size() > static_cast<std::size_t>(filter.limit)) {
      page.entries.pop_back();
      page.next_before = page.entries.back().position;
    }
    return page;
  });
}

events::result<session_page> audit_reader::sessions(const viewer& who,
                                                    const session_filter& filter) {
  parameters values;
  values.add(filter.before_ms);
  values.add(filter.workspace_id);
  values.add(filter.username);
  values.add(member_of(who));
  values.add(std::optional<std::int64_t>(filter.limit + 1));
  return queries_->run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    session_page page;
    for (const auto& row : values.run(query, sessions_statement))
      page.sessions.push_back(session_entry_of(row));
    if (page.sessions.size() <= static_cast<std::size_t>(filter.limit)) return page;
    // The cursor is a time, so a page must not end inside a millisecond: the sessions of the
    // first millisecond left out all come on the next page (`before` = that millisecond + 1).
    const auto boundary = page.sessions.back().opened_ms;
    page.sessions.pop_back();
    auto kept = page.sessions;
    while (!kept.empty() && kept.back().opened_ms == boundary)
      kept.pop_back();
    if (!kept.empty()) {
      page.sessions = std::move(kept);
      page.next_before = boundary + 1;
    } else {
      // More than a page of sessions opened in one millisecond: go on below it.
      page.next_before = boundary;
    }
    return page;
  });
}

events::result<std::optional<session_origin>> audit_reader::origin_of_session(
    const std::string& session_id) {
  auto first = store_.read_stream(session_stream_of(session_id), 1, 1);
  if (!first) return tl::unexpected(first.error());
  if (first->empty() || first->front().type != "SessionOpened") {
    return std::optional<session_origin>();
  }
  session_origin origin;
  boost::system::error_code failed;
  const auto data = boost::json::parse(first->front().data, failed);
  if (!failed && data.is_object()) {
    if (const auto* id = data.as_object().if_contains("workspace_id"); id && id->is_string()) {
      origin.workspace_id = std::string(id->as_string());
    }
  }
  auto found = queries_->run([&](pqxx::connection& connection) {
    pqxx::nontransaction query(connection);
    const auto owner = query.exec_params(
        "SELECT owner_id FROM rm_workspaces WHERE workspace_id = $1", origin.workspace_id);
    if (!owner.empty()) origin.owner_id = owner[0][0].as<std::string>();
    const auto named =
        query.exec_params("SELECT name FROM rm_sessions WHERE session_id = $1", session_id);
    if (!named.empty()) origin.name = named[0][0].as<std::string>();
  });
  if (!found) return tl::unexpected(found.error());
  return std::optional(std::move(origin));
}

events::result<bool> audit_reader::write_recording(const std::string& session_id,
                                                   asciicast_writer& writer) {
  // A page holds at most 64 events of at most 64 KiB of output each.
  constexpr std::size_t page_size = 64;
  std::int64_t next_version = 1;
  while (true) {
    auto page = store_.read_stream(session_stream_of(session_id), next_version, page_size);
    if (!page) return tl::unexpected(page.error());
    for (const auto& event : *page) {
      if (!writer.add(event)) return false;
      next_version = event.stream_version + 1;
    }
    if (page->size() < page_size) break;
  }
  return writer.finish();
}

}  // namespace berth::audit
