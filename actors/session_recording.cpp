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
              renames.insert(renames.end(), renames_waiting_.begin(), renames_waiting_.end());
              renames_waiting_ = std::move(renames);
              delayed_send(this, retry_after_failure, flush_atom::value);
              flush_timer_armed_ = true;
              return;
            }
            const auto commit = recorder_->committed((*outcome)->last_version);
            save_keyframe_if_committed();
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
            update_input_hold();  // the input backlog shrank
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
            delayed_send(this, retry_after_failure, flush_atom::value);
            flush_timer_armed_ = true;
          });
}

void session_actor::take_keyframe_if_due() {
  // Worth a look by the bytes received; the model is then caught up to them.
  if (!keyframes_.worth_looking(window_.received_end())) return;
  std::int64_t offset = 0;
  auto snapshot = screen_->with_current([&](const screen_model& screen) {
    offset = screen_origin_ + screen.interpreted_bytes();
    return screen.take_snapshot();
  });
  if (!keyframes_.due(offset, snapshot.alt_screen)) return;
  // The model was fed each output byte, and resized for each resize, as the recorder took
  // it: the screen reflects exactly the events up to the newest received, committed or not
  // (a resize still pending is covered, so recovery does not apply it twice).
  keyframes_.hold(screen_keyframe{offset, recorder_->received_version(), snapshot.rows,
                                  snapshot.cols, render_vt(snapshot)});
  save_keyframe_if_committed();
}

void session_actor::save_keyframe_if_committed() {
  // A failed append keeps the keyframe: its events are put back in front and retried at the
  // same expected version, so they land at the versions it names.
  auto keyframe = keyframes_.take_committed(recorder_->version());
  if (!keyframe) return;
  request(context_->pool, caf::infinite,
          blocking_job{[context = context_, id = state_.id, keyframe = std::move(*keyframe)] {
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
