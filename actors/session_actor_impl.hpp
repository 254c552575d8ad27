#pragma once

// The session actor's class, shared by its four source files (one per concern):
//   session_actor.cpp     — behaviour, opening, recovery, requests, closing
//   session_keeper.cpp    — the keeper link: relinks, keeper messages, output in, input out
//   session_clients.cpp   — attached clients: resume, detach, resize, fan-out with flow
//                           control, catch-up from the log
//   session_recording.cpp — appends to the session's stream, the memory window
// The decisions live in pure, unit-tested parts (session_recorder, output_window,
// relink_backoff, terminal::flow_control, terminal::plan_resume); this class wires them to
// CAF, the blocking pool and the keeper link. Include only from those four files.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/interfaces.hpp"
#include "actors/output_window.hpp"
#include "actors/relink_backoff.hpp"
#include "actors/screen_feeder.hpp"
#include "actors/session_actor.hpp"
#include "actors/session_jobs.hpp"
#include "actors/session_recorder.hpp"
#include "actors/session_state.hpp"
#include "docker/keeper_link.hpp"
#include "telemetry/berth_metrics.hpp"
#include "terminal/flow_control.hpp"

namespace berth::actors::session_detail {

using flush_atom = caf::atom_constant<caf::atom("flush")>;
using grace_atom = caf::atom_constant<caf::atom("grace")>;
using relink_atom = caf::atom_constant<caf::atom("relink")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;
using quit_atom = caf::atom_constant<caf::atom("squit")>;
using ahead_atom = caf::atom_constant<caf::atom("sahead")>;
using drain_atom = caf::atom_constant<caf::atom("sdrain")>;
/// Session actor → directory: the session ended; it no longer counts against the limits.
using closed_atom = caf::atom_constant<caf::atom("sclosed")>;
/// Session actor → directory: what a recovered session is (workspace, user, open).
using known_atom = caf::atom_constant<caf::atom("sknown")>;

/// How long a client resuming from beyond the recorded output waits for the keeper to resend.
inline constexpr auto ahead_wait = std::chrono::seconds(10);
/// How long the keeper has to confirm a close before the close is recorded anyway.
inline constexpr auto close_timeout = std::chrono::seconds(5);
/// How long the actor of a closed session stays for clients replaying it.
inline constexpr auto closed_linger = std::chrono::seconds(30);
/// Output frames to clients: large enough to amortise framing, small enough to interleave.
inline constexpr std::size_t max_frame_bytes = 64 * 1024;
/// Recorded output read from the log per catch-up step of a client behind the memory window.
inline constexpr std::int64_t max_log_read = 1024 * 1024;
/// A session in use keeps its workspace from idling out; the workspace is told at most this
/// often.
inline constexpr auto touch_interval = std::chrono::seconds(30);
/// Input queued for a keeper link that is not there yet (a relink, a recovery). Beyond it
/// clients are held: their WebSockets stop being read, so typing waits in the browser
/// instead of growing the server. A paste arrives in 64 KiB frames, so this holds several.
inline constexpr std::size_t max_undelivered_input = 256 * 1024;
/// Encoded requests queued on the link above which clients are held, and below which they
/// are released again: a keeper that stops reading its stdin (`kill -STOP`) cannot make the
/// server buffer more than this per session.
inline constexpr std::size_t max_link_queue = 1024 * 1024;
inline constexpr std::size_t link_queue_release = 256 * 1024;
/// How often a held session looks whether the link's queue drained.
inline constexpr auto drain_poll = std::chrono::milliseconds(50);
/// Protocol breaches after which the session ends (`shell_lost`): a keeper that keeps
/// forging is not the shell's keeper any more, and each breach is an event in the stream, so
/// relinking forever (at the backoff's rate) would grow the log without end.
inline constexpr int max_keeper_refusals = 8;
/// A link that paused itself for a full inbox reads again once the inbox is below this.
inline constexpr std::int64_t inbox_release_bytes = 256 * 1024;
/// A retry after the event store or the blocking pool failed.
inline constexpr auto retry_after_failure = std::chrono::seconds(1);

/// One attached client: its socket, what it was sent and acked, and who it is.
struct client_slot {
  std::shared_ptr<terminal::client> client;
  terminal::flow_control flow;
  std::string user_id;
  std::string remote_address;
  bool reading_log = false;  ///< a catch-up read from the log is running for it
};

/// Where the session is in its life; only `open` takes input and output.
enum class session_phase {
  open,       ///< running (or re-linking to) the shell
  closing,    ///< asked the keeper to close the shell, waiting for it to say so
  finishing,  ///< SessionClosed is queued for the log
  closed,     ///< SessionClosed is committed
};

/// The keeper link's state.
enum class link_phase {
  down,     ///< no link; a relink is scheduled, or the session is ending
  opening,  ///< a pool thread is opening one
  up,       ///< linked (the keeper may not have answered attach yet)
};

std::int64_t now_ms();
void log_warn(std::string_view message, const std::string& session_id, std::string_view detail);

class session_actor : public caf::event_based_actor {
 public:
  session_actor(caf::actor_config& config, std::shared_ptr<session_context> context,
                std::string session_id, std::optional<open_session> opening, caf::actor directory);

  caf::behavior make_behavior() override;
  void on_exit() override;

 private:
  // session_actor.cpp: opening, recovery, requests, closing.
  void start_open();
  void start_recovery();
  void on_recovered(recovered_session& found);
  caf::result<session_outcome> handle(session_request request);
  caf::result<session_outcome> on(attach_client& attach);
  caf::result<session_outcome> on(detach_client& detach);
  caf::result<session_outcome> on(client_input& input);
  caf::result<session_outcome> on(client_resize& resize);
  caf::result<session_outcome> on(client_ack& ack);
  caf::result<session_outcome> on(get_session&);
  caf::result<session_outcome> on(rename_session& rename);
  caf::result<session_outcome> on(close_session& close);
  bool finishing() const { return phase_ != session_phase::open; }
  void begin_close(session_close how, const session_caller& caller);
  void finish(session_close how);
  void on_closed_committed();
  void arm_grace();
  void touch_workspace(bool now);
  void count_open(bool open);
  void count_clients();
  session_origin system_origin() const;
  session_origin origin_of(const session_caller& caller) const;
  session_origin origin_of_client(const client_slot& slot) const;
  session_outcome summary() const;

  // session_keeper.cpp: the keeper link.
  void relink();
  void on_link_opened(opened_link& result);
  void schedule_relink(std::chrono::milliseconds delay);
  void on_keeper(keeper::message message);
  void on_output(const keeper::output_event& output);
  void on_link_ended(const std::string& failure);
  void refuse_keeper(std::string reason);
  void deliver_input(std::string bytes);
  void send_undelivered_input();
  void update_input_hold();
  void pace_keeper_output();

  // session_clients.cpp: attached clients.
  void admit(attach_client& attach);
  void admit_waiting();
  void on_ahead_timeout(const std::string& client_id);
  void fill(const std::string& client_id, client_slot& slot);
  void read_log_for(const std::string& client_id, client_slot& slot, std::int64_t from);
  void deliver_exit_when_caught_up();
  void broadcast_status();

  // session_recording.cpp: the stream and the memory window.
  void record(const session_control_event& event, const session_origin& origin);
  void schedule_flush();
  void flush();
  void trim_memory();
  void take_keyframe_if_due();
  void save_keyframe_if_committed();
  /// Queues output for the screen model, and has the screen pool feed it off this thread.
  void feed_screen(std::string_view bytes);

  std::shared_ptr<session_context> context_;
  std::optional<open_session> opening_;
  caf::actor directory_;
  session_state state_;
  std::optional<command_error> load_error_;
  caf::typed_response_promise<session_outcome> open_promise_;
  std::string open_failure_;
  std::vector<caf::typed_response_promise<session_outcome>> close_promises_;
  /// Renames queued for the next append, answered once it commits.
  std::vector<caf::typed_response_promise<session_outcome>> renames_waiting_;

  std::optional<keeper_share> link_;  ///< this session's share of the workspace's link
  link_phase link_phase_ = link_phase::down;
  std::uint64_t link_generation_ = 0;
  relink_backoff backoff_;
  bool keeper_output_paused_ = false;  ///< the link's reading is paused for the recorder
  int keeper_refusals_ = 0;            ///< protocol breaches of this session's keepers
  std::shared_ptr<keeper_inbox> inbox_ = std::make_shared<keeper_inbox>();  ///< current link's

  /// The screen model, fed on the screen pool (`screen_feeder`); exact on `with_current`.
  std::shared_ptr<screen_feeder> screen_ = std::make_shared<screen_feeder>(screen_model(24, 80));
  /// The output offset of the model's first byte: a model recovered from a keyframe was fed
  /// the keyframe's VT text first, standing for all output before it.
  std::int64_t screen_origin_ = 0;
  /// When to take keyframes, and the one taken but not saved until its events commit.
  keyframe_cadence keyframes_;
  output_window window_;
  /// Exists once the stream's version is known (after the open's append or the recovery).
  std::optional<session_recorder> recorder_;
  bool flush_timer_armed_ = false;

  std::deque<std::string> undelivered_input_;  ///< typed while no link could take it
  std::size_t undelivered_bytes_ = 0;
  bool input_held_ = false;        ///< clients' sockets are not read (see max_link_queue)
  bool drain_poll_armed_ = false;  ///< a drain_atom is on its way

  std::map<std::string, client_slot> clients_;
  telemetry::gauge_presence open_metric_{telemetry::berth_metrics().terminal_sessions_open};
  telemetry::gauge_presence attached_metric_{telemetry::berth_metrics().terminal_sessions_attached};
  std::map<std::string, attach_client> waiting_;  ///< resuming from output not yet received
  std::vector<std::string> pending_exit_clients_;
  std::uint64_t grace_generation_ = 0;
  std::chrono::steady_clock::time_point last_touch_{};
  std::chrono::milliseconds grace_spent_before_{0};

  session_phase phase_ = session_phase::open;
  session_close pending_close_;
  session_origin close_origin_;
  std::uint64_t close_attempt_ = 0;
};

}  // namespace berth::actors::session_detail
