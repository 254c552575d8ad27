// The session actor's recording: batches from the recorder appended one at a time on the
// blocking pool, acks to the keeper once committed, and the memory window trimmed behind
// what clients still need.

#include "actors/session_actor_impl.hpp"
#include "events/event_store.hpp"

namespace berth::actors::session_detail {

void session_actor::record(const session_control_event& event, const session_origin& origin) {
  recorder_->record(event, origin);
  schedule_flush();
}

void session_actor::schedule_flush() {
  if (flush_timer_armed_) return;
  flush_timer_armed_ = true;
  delayed_send(this, context_->options.batch_interval, flush_atom::value);
}

void session_actor::flush() {
  if (!recorder_) return;
  auto batch = recorder_->take_batch();
  if (!batch) return;
  take_keyframe_if_due();
  auto renames = std::move(renames_waiting_);
  renames_waiting_.clear();
  const bool closes = batch->closes;
  events::append_request append{session_stream(state_.id), "session", batch->expected_version,
                                std::move(batch->events)};
  auto outcome =
      std::make_shared<events::result<events::append_result>>(tl::unexpected(events::error{}));
  request(context_->pool, caf::infinite,
          blocking_job{[outcome, context = context_, append = std::move(append)]() mutable {
            *outcome = context->store.append(std::move(append));
          }})
      .then(
          [=, this](caf::ok_atom) mutable {
            if (!*outcome) {
              // Nothing is acked to the keeper, so nothing is lost: try again shortly.
              log_warn("cannot record session events", state_.id, outcome->error().message);
              recorder_->failed();
              keyframe_in_flight_.reset();
              renames.insert(renames.end(), renames_waiting_.begin(), renames_waiting_.end());
              renames_waiting_ = std::move(renames);
              delayed_send(this, retry_after_failure, flush_atom::value);
              flush_timer_armed_ = true;
              return;
            }
            const auto commit = recorder_->committed((*outcome)->last_version);
            save_keyframe_in_flight((*outcome)->last_version);
            state_.version = recorder_->version();
            state_.output_index.insert(state_.output_index.end(), commit.chunks.begin(),
                                       commit.chunks.end());
            state_.output_end = commit.committed_end;
            if (!commit.chunks.empty() && link_) {
              link_->send(keeper::ack_request{state_.keeper_session,
                                              static_cast<std::uint64_t>(commit.committed_end)});
            }
            trim_memory();
            pace_keeper_output();
            for (auto& promise : renames)
              promise.deliver(summary());
            if (closes) on_closed_committed();
            if (recorder_->idle()) return;
            if (recorder_->wants_flush_now()) {
              flush();
            } else {
              schedule_flush();
            }
          },
          [=, this](caf::error& problem) {
            log_warn("append job failed", state_.id, system().render(problem));
            recorder_->failed();
            keyframe_in_flight_.reset();
            delayed_send(this, retry_after_failure, flush_atom::value);
            flush_timer_armed_ = true;
          });
}

void session_actor::take_keyframe_if_due() {
  const auto offset = screen_offset();
  if (offset < next_keyframe_check_) return;
  // Only when the append about to go out holds every event recorded so far: the keyframe
  // then reflects exactly the events up to that append's last version (a resize still
  // waiting in the recorder would be applied twice on recovery).
  if (recorder_->has_pending()) return;
  auto snapshot = screen_.take_snapshot();
  if (!keyframe_due(offset - keyframe_offset_, snapshot.alt_screen)) {
    next_keyframe_check_ = offset + keyframe_interval;
    return;
  }
  keyframe_in_flight_ =
      screen_keyframe{offset, 0, snapshot.rows, snapshot.cols, render_vt(snapshot)};
  keyframe_offset_ = offset;
  next_keyframe_check_ = offset + keyframe_interval;
}

void session_actor::save_keyframe_in_flight(std::int64_t committed_version) {
  if (!keyframe_in_flight_) return;
  auto keyframe = std::move(*keyframe_in_flight_);
  keyframe_in_flight_.reset();
  keyframe.version = committed_version;
  request(context_->pool, caf::infinite,
          blocking_job{[context = context_, id = state_.id, keyframe = std::move(keyframe)] {
            // Only recovery reads it, and an older keyframe still works: a failure costs a
            // slower recovery, nothing else.
            if (!save_keyframe(context->store, id, keyframe))
              log_warn("cannot save a screen keyframe", id, "");
          }})
      .then([](caf::ok_atom) {}, [](caf::error&) {});
}

void session_actor::trim_memory() {
  // Held: the window behind the end, and what a client paused by flow control has not been
  // sent yet (up to the window's cap; a client further behind is fed from the event log).
  auto needed_from = window_.received_end();
  for (const auto& [id, slot] : clients_)
    needed_from = std::min(needed_from, slot.flow.sent_end());
  window_.trim(needed_from, recorder_->committed_end());
}

}  // namespace berth::actors::session_detail
