#pragma once

// What a session received and has not yet committed to its stream, and the appends that
// record it. Pure: the actor owns the timers and the store and asks the recorder what to do.
//
// Output is acknowledged to the keeper only once committed, so the keeper's journal holds
// whatever is still here; a failed append loses nothing and is tried again in order.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "actors/session_events.hpp"
#include "actors/session_state.hpp"
#include "events/event.hpp"

namespace berth::actors {

/// Output received but not committed beyond which the actor stops reading the keeper link.
/// The keeper keeps unacknowledged output in its journal, so leaving it there costs nothing,
/// while buffering it here would let a fast or hostile container grow the server's memory
/// without bound whenever the event store is slow or down.
inline constexpr std::int64_t max_unrecorded_output = 4 * 1024 * 1024;

/// Typed input handed to the keeper but not committed beyond which the session holds its
/// clients' input (their WebSockets are not read) until the store catches up. Output has
/// the keeper's journal to wait in; input that reached the keeper is recorded from here, so
/// with the store slow or down it would otherwise grow at the clients' typing rate.
inline constexpr std::int64_t max_unrecorded_input = 1024 * 1024;

/// Bytes of output and input (the events' bodies) one append carries at most; the rest waits
/// for the next. The batch is copied on its way (events, the binary array parameter, libpq's
/// buffer), so a backlog appended at once would cost several times the backlog in transient memory
/// (input too: clients typing into a stalled keeper record what the link took, megabytes at
/// once); 1 MiB still spreads one round trip over 16 full events.
inline constexpr std::int64_t max_append_bytes = 1024 * 1024;

/// The events a session records as they are; output and input come with their bytes instead.
using session_control_event = std::variant<session_event::resized, session_event::client_attached,
                                           session_event::client_detached, session_event::renamed,
                                           session_event::closed, session_event::keeper_refused>;

/// One append to make: the events and what they will mean once committed.
struct session_batch {
  std::vector<events::new_event> events;
  std::int64_t expected_version = 0;  ///< the stream version the append must find
  std::vector<output_chunk> chunks;   ///< each OutputRecorded's place, versions following on
  bool closes = false;                ///< holds SessionClosed
};

/// What a committed append changed.
struct session_commit {
  std::vector<output_chunk> chunks;  ///< to add to the output index, in order
  std::int64_t committed_end = 0;    ///< output recorded so far: the offset to ack to the keeper
};

/// Batches a session's output, input and other events into appends, one in flight at a time.
class session_recorder {
 public:
  /// A recorder for a stream at `version` whose output is recorded up to `committed_end`;
  /// OutputRecorded events hold at most `batch_bytes`, its events carry `origin`.
  session_recorder(std::size_t batch_bytes, session_origin origin, std::int64_t version,
                   std::int64_t committed_end);

  /// Takes output at `offset` (at or after the end received: a gap is allowed, an overlap is
  /// not); false, taking nothing, when it overlaps or would end past 2^63 - 1.
  [[nodiscard]] bool record_output(std::int64_t offset, std::string_view bytes);
  /// Takes bytes typed by a client (call it only when input is recorded).
  void record_input(std::string_view bytes);
  /// Queues an event after everything received before it.
  void record(const session_control_event& event, const session_origin& origin);

  /// The next append to make (the oldest pending events, up to max_append_bytes of output
  /// and input); nothing while one is in flight or when nothing is pending.
  std::optional<session_batch> take_batch();
  /// The append in flight committed at `last_version`: what to add to the index and to ack.
  session_commit committed(std::int64_t last_version);
  /// The append in flight failed: its events go back in front of what was queued since.
  void failed();

  /// Whether a full event of output is pending: take a batch now (or as soon as the one in
  /// flight commits) rather than at the timer.
  bool wants_flush_now() const;
  /// Whether everything received has been committed.
  bool idle() const;
  /// Whether anything recorded waits for a later append (beyond the one in flight).
  bool has_pending() const { return !pending_.empty() || !output_.empty() || input_open_; }
  /// Whether an append is in flight.
  bool in_flight() const { return in_flight_.has_value(); }
  /// Output bytes received but not committed (pending and in flight).
  std::int64_t unrecorded_bytes() const { return pending_output_bytes_ + in_flight_output_bytes_; }
  /// Input bytes recorded but not committed (open, pending and in flight).
  std::int64_t unrecorded_input_bytes() const {
    return pending_input_bytes_ + in_flight_input_bytes_;
  }
  /// Whether unrecorded output exceeds max_unrecorded_output: stop reading the keeper link.
  bool over_backlog() const { return unrecorded_bytes() > max_unrecorded_output; }
  /// The stream version of the last committed event.
  std::int64_t version() const { return version_; }
  /// The stream version the newest event received will have once appended (the committed
  /// version when nothing waits): a screen fed everything received so far reflects exactly
  /// the events up to it. Later events only follow it, and a failed append is retried in the
  /// same order at the same expected version, so it does not change once given.
  std::int64_t received_version() const;
  /// The end of the output committed to the stream.
  std::int64_t committed_end() const { return committed_end_; }
  /// The end of the output received.
  std::int64_t received_end() const { return received_end_; }

 private:
  /// An event waiting for an append, with what the batch needs to know about it.
  struct queued {
    events::new_event event;
    std::optional<output_chunk> output;  ///< for OutputRecorded (version set when taken)
    bool closes = false;
  };

  /// Closes the open input, then cuts the output run into OutputRecorded events.
  void seal();

  std::size_t batch_bytes_;
  session_origin origin_;
  std::int64_t version_;
  std::int64_t committed_end_;
  std::int64_t received_end_;
  std::vector<queued> pending_;
  std::string input_;  ///< typed since the last InputRecorded; goes before `output_`
  bool input_open_ = false;
  std::string output_;  ///< received since the last cut, from `output_start_`
  std::int64_t output_start_ = 0;
  std::int64_t pending_output_bytes_ = 0;  ///< in `output_` and in `pending_`
  std::int64_t in_flight_output_bytes_ = 0;
  std::int64_t pending_input_bytes_ = 0;  ///< in `input_` and in `pending_`
  std::int64_t in_flight_input_bytes_ = 0;
  std::optional<std::vector<queued>> in_flight_;
};

}  // namespace berth::actors
