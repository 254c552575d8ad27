#pragma once

// Terminal sessions (DESIGN.md "Terminal sessions"), without CAF in sight: one actor per
// session records output from the workspace's keeper in the session's stream, feeds a
// screen model and fans output out to attached clients. The HTTP layer opens, lists and
// closes sessions through this facade, and hands each WebSocket over as a terminal::client.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/workspace_service.hpp"
#include "terminal/client.hpp"

namespace berth::actors {

/// A session as the API shows it (the `rm_sessions` read model, or the actor's own state).
struct session_summary {
  std::string id, workspace_id, user_id, name, state, close_reason;
  int cols = 0, rows = 0;
  std::int64_t opened_ms = 0, closed_ms = 0, output_bytes = 0;
  std::optional<int> exit_status;
};

/// Limits and timing of sessions, from configuration.
struct session_options {
  std::string database_url;  ///< for the session list and recovery queries
  /// A session with no client attached is closed after this long of server uptime.
  std::chrono::milliseconds grace = std::chrono::minutes(10);
  bool record_input = true;
  int max_per_workspace = 16;
  int max_per_user = 64;
  /// Clients attached to one session at once: its owner's tabs and a few watchers. Each costs
  /// a socket and up to a flow-control window of queued output.
  int max_clients_per_session = 8;
  /// A client asking to resume from further back than this gets a screen snapshot instead
  /// of the bytes (replaying megabytes to a browser is slower than a redraw).
  std::int64_t replay_limit = 8 * 1024 * 1024;
  /// Output kept in memory per session for resumes and slow clients; older bytes come from
  /// the event log.
  std::int64_t memory_window = 256 * 1024;
  std::size_t batch_bytes = 64 * 1024;
  std::chrono::milliseconds batch_interval{50};
  /// Environment of the shells in a workspace of `owner_id` (`NAME=value`: the owner's
  /// secrets, whoever opens the session). May block.
  std::function<std::vector<std::string>(const std::string& owner_id)> environment;
  std::string node;  ///< host name, in event metadata
};

/// Who opens, attaches or types: recorded in the events' metadata.
struct session_caller {
  std::string user_id;
  std::string remote_address;
  std::string trace_id;
  /// The caller's span (the HTTP request's): session spans become its children.
  telemetry::trace_context trace = {};
};

/// The session runtime. Lives in the workspace service's actor system.
class session_service {
 public:
  session_service(events::event_store& store, workspace_service& workspaces,
                  session_options options);
  ~session_service();
  session_service(const session_service&) = delete;
  session_service& operator=(const session_service&) = delete;

  /// Brings back every session whose stream is not closed: each re-attaches to its keeper
  /// from the last recorded offset. Returns how many.
  command_result<std::size_t> recover();

  /// Ensures the workspace runs and opens a shell of cols×rows in it.
  command_result<session_summary> open(const std::string& workspace_id, int cols, int rows,
                                       const session_caller& caller);
  /// The workspace's sessions, newest first (closed ones included).
  command_result<std::vector<session_summary>> list(const std::string& workspace_id);
  /// One session of the workspace; not_found when it belongs to another workspace.
  command_result<session_summary> get(const std::string& workspace_id,
                                      const std::string& session_id);
  /// Whether the session exists in the workspace, without waiting for its actor: from the
  /// read model when it knows the session (a recovering actor would hold the answer until its
  /// recovery is done), else from the actor (a session opened a moment ago). not_found when
  /// it belongs to another workspace.
  command_result<void> check(const std::string& workspace_id, const std::string& session_id);
  /// Names the session (open or closed) once the name is valid (session_name_problem), and
  /// answers after SessionRenamed is recorded.
  command_result<session_summary> rename(const std::string& workspace_id,
                                         const std::string& session_id, const std::string& name,
                                         const session_caller& caller);
  /// Hangs up the shell and records `closed_by_user`.
  command_result<session_summary> close(const std::string& workspace_id,
                                        const std::string& session_id,
                                        const session_caller& caller);

  /// Attaches a client: it gets `attached` (and a snapshot, or the bytes from `from`), then
  /// live output; errors go to the client itself. Never blocks.
  void attach(const std::string& session_id, const std::string& client_id,
              std::shared_ptr<terminal::client> client, std::optional<std::int64_t> from,
              const session_caller& caller);
  void detach(const std::string& session_id, const std::string& client_id);
  void input(const std::string& session_id, const std::string& client_id, std::string bytes);
  void resize(const std::string& session_id, const std::string& client_id, int cols, int rows);
  void ack(const std::string& session_id, const std::string& client_id, std::int64_t offset);

 private:
  /// Whether the read model knows the session (in this workspace); not_found for an id that
  /// is none or a session the read model puts in another workspace.
  command_result<bool> projected_in(const std::string& workspace_id, const std::string& session_id);
  /// The session as its actor answers, not_found when it is in another workspace.
  command_result<session_summary> ask_in(const std::string& workspace_id,
                                         const std::string& session_id);

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace berth::actors
