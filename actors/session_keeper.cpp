// The session actor's keeper link: opening and re-opening it with backoff, the keeper's
// messages, output in (checked, recorded, paced) and input out (queued, bounded, in order).
// Everything the keeper sends is untrusted: the container's user controls it.

#include "actors/keeper_text.hpp"
#include "actors/session_actor_impl.hpp"
#include "telemetry/log.hpp"

namespace berth::actors::session_detail {

void session_actor::relink() {
  if (finishing() || link_phase_ != link_phase::down) return;
  link_phase_ = link_phase::opening;
  broadcast_status();
  auto result = std::make_shared<opened_link>();
  const auto handle = caf::actor_cast<caf::actor>(this);
  const auto generation = ++link_generation_;
  auto inbox = inbox_ = std::make_shared<keeper_inbox>();
  const auto from = window_.received_end();
  request(context_->pool, caf::infinite,
          blocking_job{[=, context = context_, workspace_id = state_.workspace_id,
                        keeper_session = state_.keeper_session] {
            *result =
                open_keeper_link(*context, workspace_id, keeper_session, handle, generation, inbox);
            if (result->link) {
              result->link->send(
                  keeper::attach_request{keeper_session, static_cast<std::uint64_t>(from)});
            }
          }})
      .then(
          [=, this](caf::ok_atom) {
            link_phase_ = link_phase::down;
            if (finishing()) return;  // the link closes with `result`
            if (result->link) return on_link_opened(*result);
            log_warn("cannot reach the keeper", state_.id, result->failure);
            if (result->container_missing) {
              return finish({"workspace_stopped", std::nullopt, false});
            }
            const auto delay = backoff_.after_open_failed();
            if (backoff_.should_give_up()) return finish({"shell_lost", std::nullopt, false});
            schedule_relink(delay);
          },
          [=, this](caf::error&) {
            link_phase_ = link_phase::down;
            schedule_relink(retry_after_failure);
          });
}

void session_actor::on_link_opened(opened_link& result) {
  link_ = std::move(result.link);
  link_phase_ = link_phase::up;
  keeper_output_paused_ = false;
  pace_keeper_output();
  send_undelivered_input();
}

void session_actor::schedule_relink(std::chrono::milliseconds delay) {
  delayed_send(this, delay, relink_atom::value);
}

void session_actor::on_keeper(keeper::message message) {
  // The hub hands a session the frames naming it, and those naming a session never attached
  // on the link to every session: such a frame is forged (an error about a frame the keeper
  // could not read names none).
  const auto* error = std::get_if<keeper::error_reply>(&message);
  const auto* named = std::visit(
      [](const auto& typed) -> const std::string* {
        if constexpr (requires { typed.session; }) {
          return &typed.session;
        } else {
          return nullptr;  // the hello
        }
      },
      message);
  if (named && *named != state_.keeper_session && !(error && named->empty())) {
    return refuse_keeper("a frame for another session");
  }
  if (auto* output = std::get_if<keeper::output_event>(&message)) return on_output(*output);
  if (std::holds_alternative<keeper::opened_reply>(message)) {
    if (opening_ && open_promise_.pending()) open_promise_.deliver(summary());
    return;
  }
  if (std::holds_alternative<keeper::attached_reply>(message)) {
    backoff_.link_attached(std::chrono::steady_clock::now());
    broadcast_status();
    return;
  }
  if (auto* gap = std::get_if<keeper::gap_reply>(&message)) {
    // Acks follow commits, so the keeper keeps what is not recorded: a gap means something
    // else acked (another node, a hand-run attach). Say so and go on from what it has.
    backoff_.link_attached(std::chrono::steady_clock::now());
    log_warn("keeper journal gap", state_.id,
             std::to_string(gap->requested) + ".." + std::to_string(gap->oldest));
    broadcast_status();
    return;
  }
  if (auto* exited = std::get_if<keeper::exited_event>(&message)) {
    session_close how{pending_close_.reason.empty() ? "exited" : pending_close_.reason,
                      static_cast<int>(exited->status.value), exited->status.signaled};
    if (link_) link_->send(keeper::close_request{state_.keeper_session});
    return finish(how);
  }
  if (std::holds_alternative<keeper::closed_reply>(message)) {
    return finish(pending_close_.reason.empty() ? session_close{"shell_lost", std::nullopt, false}
                                                : pending_close_);
  }
  if (error) {
    const auto quoted = quote_keeper_text(error->message);
    log_warn("keeper error", state_.id, quoted);
    if (opening_ && open_promise_.pending()) {
      open_failure_ = "keeper: " + quoted;
      return finish({"open_failed", std::nullopt, false});
    }
    if (error->code == keeper::error_code::unknown_session) {
      return finish({pending_close_.reason.empty() ? "shell_lost" : pending_close_.reason,
                     std::nullopt, false});
    }
  }
}

void session_actor::on_output(const keeper::output_event& output) {
  if (finishing() && phase_ != session_phase::closing) return;
  const auto verdict = window_.accept(output.offset, output.data);
  if (const auto* refused = std::get_if<output_verdict::refused>(&verdict)) {
    return refuse_keeper("output: " + std::string(to_string(refused->reason)));
  }
  if (std::holds_alternative<output_verdict::duplicate>(verdict)) return;
  std::int64_t offset = 0;
  std::string_view bytes;
  if (const auto* gap = std::get_if<output_verdict::gap>(&verdict)) {
    log_warn("output gap", state_.id, std::to_string(gap->from) + ".." + std::to_string(gap->to));
    offset = gap->to;
    bytes = gap->bytes;
  } else {
    const auto& appended = std::get<output_verdict::appended>(verdict);
    offset = appended.offset;
    bytes = appended.bytes;
  }
  // The window checked offsets and sizes, so the recorder takes what it took.
  if (!recorder_->record_output(offset, bytes)) return refuse_keeper("output out of order");
  telemetry::berth_metrics().terminal_output_bytes.add(bytes.size());
  feed_screen(bytes);
  touch_workspace(false);
  for (auto& [id, slot] : clients_)
    fill(id, slot);
  admit_waiting();
  if (recorder_->wants_flush_now()) {
    flush();
  } else {
    schedule_flush();
  }
}

namespace {

/// Feeds one quantum of a session's queued output on the screen pool (under the model's lock,
/// so a snapshot or keyframe waits at most that long), then, while more is queued, queues
/// itself again behind the other sessions' jobs: a flooded session's screen takes turns with
/// every other's instead of holding a pool thread for as long as its flood lasts.
void feed_on_pool(const caf::actor& pool, std::shared_ptr<screen_feeder> screen) {
  caf::anon_send(pool, blocking_job{[pool, screen = std::move(screen)] {
                   if (screen->drain_some(screen_drain_quantum)) feed_on_pool(pool, screen);
                 }});
}

}  // namespace

void session_actor::feed_screen(std::string_view bytes) {
  // One job at a time per session: the feeder says when one is needed.
  if (screen_->feed(bytes)) feed_on_pool(context_->screen_pool, screen_);
  // A screen pool behind (a flood, a busy machine) is caught up here, at the model's own pace:
  // the queue stays bounded and the session takes no more output meanwhile.
  if (screen_->queued_bytes() > max_unfed_screen_bytes) {
    screen_->with_current([](const screen_model&) { return 0; });
  }
}

void session_actor::on_link_ended(const std::string& failure) {
  link_.reset();
  link_phase_ = link_phase::down;
  if (phase_ == session_phase::closed || phase_ == session_phase::finishing) return;
  if (phase_ == session_phase::closing) return finish(pending_close_);
  if (opening_ && open_promise_.pending()) {
    open_failure_ = failure.empty() ? "the keeper link ended" : failure;
    return finish({"open_failed", std::nullopt, false});
  }
  if (!failure.empty()) log_warn("keeper link ended", state_.id, quote_keeper_text(failure));
  const auto delay = backoff_.after_link_ended(std::chrono::steady_clock::now());
  if (backoff_.should_give_up()) return finish({"shell_lost", std::nullopt, false});
  broadcast_status();
  schedule_relink(delay);
}

void session_actor::refuse_keeper(std::string reason) {
  // Closing the link stops the flood; the keeper's journal still holds the shell's output,
  // so the next link (after the backoff) resends from what was recorded.
  log_warn("closed the keeper link for breaking the protocol", state_.id, reason);
  telemetry::berth_metrics().keeper_links_refused.add();
  record(session_event::keeper_refused{std::move(reason)}, system_origin());
  schedule_flush();
  // The link is the workspace's: its other sessions hear it end and relink too. Left first,
  // so no callback reaches this one: the relink is scheduled here.
  if (link_) link_->close_link();
  link_.reset();
  link_phase_ = link_phase::down;
  const auto delay = backoff_.after_link_ended(std::chrono::steady_clock::now());
  if (++keeper_refusals_ >= max_keeper_refusals || backoff_.should_give_up()) {
    return finish({"shell_lost", std::nullopt, false});
  }
  broadcast_status();
  schedule_relink(delay);
}

void session_actor::deliver_input(std::string bytes) {
  undelivered_bytes_ += bytes.size();
  undelivered_input_.push_back(std::move(bytes));
  send_undelivered_input();
}

void session_actor::send_undelivered_input() {
  // Input goes out in the order typed, and is recorded only once handed to a link: typed
  // during a relink or a recovery it waits here (bounded) instead of being dropped.
  while (link_ && !undelivered_input_.empty()) {
    auto& bytes = undelivered_input_.front();
    link_->send(keeper::input_request{state_.keeper_session, bytes});
    if (context_->options.record_input) recorder_->record_input(bytes);
    undelivered_bytes_ -= bytes.size();
    undelivered_input_.pop_front();
    schedule_flush();
  }
  update_input_hold();
}

void session_actor::update_input_hold() {
  const auto queued = link_ ? link_->queued_bytes() : 0;
  const auto unrecorded = recorder_ ? recorder_->unrecorded_input_bytes() : 0;
  // Held until the link's queue is below its release mark and the typed input the store has
  // not taken is below half its cap (then released by a commit, see session_recording.cpp).
  const bool hold =
      undelivered_bytes_ >= max_undelivered_input || queued >= max_link_queue ||
      unrecorded >= max_unrecorded_input ||
      (input_held_ && (queued > link_queue_release || unrecorded > max_unrecorded_input / 2));
  if (hold != input_held_) {
    input_held_ = hold;
    for (auto& [id, slot] : clients_)
      slot.client->hold_input(hold);
  }
  // Only a link's queue drains by itself; undelivered input waits for the next link.
  if (input_held_ && link_ && !drain_poll_armed_) {
    drain_poll_armed_ = true;
    delayed_send(this, drain_poll, drain_atom::value);
  }
}

void session_actor::pace_keeper_output() {
  if (!link_ || !recorder_) return;
  // Above the backlog the keeper keeps the output in its journal until the store catches up;
  // the link pauses itself when this actor's inbox is full (keeper_inbox), and is resumed
  // here once the inbox is mostly taken.
  const bool backlog = recorder_->over_backlog();
  const bool inbox_full = inbox_->paused && inbox_->bytes.load() > inbox_release_bytes;
  if (backlog || inbox_full) {
    if (backlog && !keeper_output_paused_) link_->pause_reading();
    keeper_output_paused_ = keeper_output_paused_ || backlog;
    return;
  }
  if (keeper_output_paused_ || inbox_->paused) {
    keeper_output_paused_ = false;
    inbox_->paused = false;
    link_->resume_reading();
  }
}

}  // namespace berth::actors::session_detail
