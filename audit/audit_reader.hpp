#pragma once

// What the audit routes read: the audit log and the session list from the read models, and a
// session's recording from its own stream. Members see what concerns them only; the rule is
// applied here, in the queries, so no caller can forget it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/asciicast.hpp"
#include "audit/chain_verifier.hpp"
#include "audit/workspace_history.hpp"
#include "events/error.hpp"

namespace berth::events {
class connection_pool;
class event_store;
}  // namespace berth::events

namespace berth::audit {

/// Who reads: admins and auditors see everything; a member sees rows about their own
/// workspaces and the sessions in them, and rows of their own actions.
struct viewer {
  std::string user_id;
  bool sees_everything = false;
};

/// Audit log filters; absent ones do not filter.
struct log_filter {
  std::optional<std::string> username;      ///< the actor's username
  std::optional<std::string> workspace_id;  ///< the workspace's rows and its sessions'
  std::optional<std::string> action;        ///< the event type
  std::optional<std::int64_t> since_ms;     ///< recorded at or after
  std::optional<std::int64_t> until_ms;     ///< recorded at or before
  std::optional<std::int64_t> before;       ///< global positions below this one
  int limit = 100;
};

/// One row of the audit log as the API shows it.
struct log_entry {
  std::int64_t position = 0;  ///< the event's global position
  std::int64_t at_ms = 0;
  std::string actor;  ///< a user id or `system`
  std::optional<std::string> actor_name;
  std::string action, resource_type, resource_id;
  std::optional<std::string> workspace_id, address, trace_id;
  std::string details;  ///< the event's data, a JSON object text
};

/// A page of the log, newest first, and the cursor of the next page (none at the end).
struct log_page {
  std::vector<log_entry> entries;
  std::optional<std::int64_t> next_before;
};

/// Session list filters; absent ones do not filter.
struct session_filter {
  std::optional<std::string> workspace_id;
  std::optional<std::string> username;    ///< of the user who opened it
  std::optional<std::int64_t> before_ms;  ///< opened before this time
  int limit = 100;
};

/// One session as the audit list shows it.
struct session_entry {
  std::string id, workspace_id, user_id, name, state;
  std::optional<std::string> workspace_name, username, close_reason;
  int cols = 0, rows = 0;
  std::int64_t opened_ms = 0, output_bytes = 0;
  std::optional<std::int64_t> closed_ms;
  std::optional<int> exit_status;
};

/// A page of sessions, newest first, and the `before_ms` of the next page.
struct session_page {
  std::vector<session_entry> sessions;
  std::optional<std::int64_t> next_before;
};

/// Whose a recorded session is, for the access check before its recording is sent.
struct session_origin {
  std::string workspace_id;
  std::optional<std::string> owner_id;  ///< of the workspace, when the read model has it
  std::string name;                     ///< the session's name, when the read model has it
};

/// Reads the audit trail. Thread-safe; every call blocks on PostgreSQL.
class audit_reader {
 public:
  audit_reader(const std::string& database_url, events::event_store& store);
  ~audit_reader();
  audit_reader(const audit_reader&) = delete;
  audit_reader& operator=(const audit_reader&) = delete;

  /// A page of the audit log that `who` may see.
  events::result<log_page> log(const viewer& who, const log_filter& filter);
  /// A page of the sessions that `who` may see.
  events::result<session_page> sessions(const viewer& who, const session_filter& filter);
  /// Where session `session_id` was opened, from its stream; nothing when it never was.
  events::result<std::optional<session_origin>> origin_of_session(const std::string& session_id);
  /// Feeds every event of the session's stream to `writer`, page by page, then finishes it;
  /// stops early (and says so with false) when the writer's sink refuses.
  events::result<bool> write_recording(const std::string& session_id, asciicast_writer& writer);
  /// Every stream's hash chain, verified (chain_verifier.hpp).
  events::result<chain_verification> verify() { return verify_chains(store_); }
  /// A workspace's events and its state at `at`; nothing when it never existed.
  events::result<std::optional<workspace_history>> history(const std::string& workspace_id,
                                                           std::optional<time_point> at) {
    return read_workspace_history(store_, workspace_id, at);
  }

 private:
  events::event_store& store_;
  std::unique_ptr<events::connection_pool> queries_;
};

}  // namespace berth::audit
