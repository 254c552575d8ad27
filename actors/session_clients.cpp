// The session actor's clients: attaching (exact resume or a screen snapshot), fan-out of
// output under each client's flow control, catch-up from the log for a client behind the
// memory window, and the end of a session as clients see it.

#include "actors/session_actor_impl.hpp"
#include "telemetry/span.hpp"

namespace berth::actors::session_detail {

caf::result<session_outcome> session_actor::on(attach_client& attach) {
  if (attach.from && *attach.from > window_.received_end() && !finishing()) {
    // A client may have rendered output this server had not recorded when it was killed:
    // the keeper still holds it and sends it again shortly. Wait for it, within reason.
    delayed_send(this, ahead_wait, ahead_atom::value, attach.client_id);
    waiting_.insert_or_assign(attach.client_id, std::move(attach));
    return summary();
  }
  admit(attach);
  return summary();
}

caf::result<session_outcome> session_actor::on(client_ack& ack) {
  const auto found = clients_.find(ack.client_id);
  if (found == clients_.end()) return summary();
  if (auto recorded = found->second.flow.record_ack(ack.offset); !recorded) {
    found->second.client->refuse(recorded.error());
    clients_.erase(found);
    count_clients();
    return summary();
  }
  fill(found->first, found->second);
  deliver_exit_when_caught_up();
  return summary();
}

caf::result<session_outcome> session_actor::on(detach_client& detach) {
  waiting_.erase(detach.client_id);
  const auto found = clients_.find(detach.client_id);
  if (found == clients_.end()) return summary();
  const auto origin = origin_of_client(found->second);
  const auto user_id = found->second.user_id;
  clients_.erase(found);
  count_clients();
  if (finishing()) return summary();
  state_.attached_clients.erase(detach.client_id);
  record(session_event::client_detached{detach.client_id, user_id, origin.remote_address}, origin);
  if (clients_.empty()) {
    state_.unattended_since_ms = now_ms();
    grace_spent_before_ = {};
    arm_grace();
  } else {
    broadcast_status();
  }
  return summary();
}

caf::result<session_outcome> session_actor::on(client_resize& resize) {
  if (finishing() || !clients_.contains(resize.client_id)) return summary();
  if (resize.cols == state_.cols && resize.rows == state_.rows) return summary();
  state_.cols = resize.cols;
  state_.rows = resize.rows;
  screen_->resize(resize.rows, resize.cols);
  if (link_) {
    link_->send(keeper::resize_request{state_.keeper_session,
                                       static_cast<std::uint16_t>(resize.cols),
                                       static_cast<std::uint16_t>(resize.rows)});
  }
  record(session_event::resized{resize.cols, resize.rows},
         origin_of_client(clients_.at(resize.client_id)));
  broadcast_status();
  return summary();
}

void session_actor::admit_waiting() {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (*it->second.from <= window_.received_end()) {
      admit(it->second);
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
}

void session_actor::on_ahead_timeout(const std::string& client_id) {
  const auto found = waiting_.find(client_id);
  if (found == waiting_.end()) return;
  admit(found->second);  // refused now: the offset is still ahead
  waiting_.erase(found);
}

void session_actor::admit(attach_client& attach) {
  if (!clients_.contains(attach.client_id) &&
      static_cast<int>(clients_.size()) >= context_->options.max_clients_per_session) {
    attach.client->refuse({terminal::protocol_error_code::too_many_clients,
                           "this session has " +
                               std::to_string(context_->options.max_clients_per_session) +
                               " clients attached already, the most allowed"});
    return;
  }
  // A short span per attach (not one for the WebSocket's life), child of the upgrade's.
  telemetry::span attaching("berth.sessions", attach.from ? "session resume" : "session attach",
                            telemetry::span_kind::internal, attach.caller.trace);
  attaching.set("session.id", state_.id);
  attaching.set("workspace.id", state_.workspace_id);
  const auto end = window_.received_end();
  const auto oldest_held = std::max<std::int64_t>(0, end - context_->options.replay_limit);
  std::optional<std::int64_t> requested = attach.from;
  if (state_.closed && !requested) requested = oldest_held;
  auto plan = terminal::plan_resume(requested, oldest_held, end);
  if (!plan) {
    attaching.set_error(plan.error().message);
    attach.client->refuse(plan.error());
    return;
  }
  std::int64_t start = 0;
  std::optional<std::string> snapshot;
  if (const auto* exact = std::get_if<terminal::exact_replay>(&*plan)) {
    start = exact->from;
  } else {
    screen_->with_current([&](const screen_model& screen) {
      start = screen_origin_ + screen.interpreted_bytes();
      snapshot = render_vt(screen.take_snapshot());
      return 0;
    });
  }
  attaching.set("terminal.end_offset", end);
  attaching.set("terminal.start_offset", start);
  attaching.set("terminal.snapshot", snapshot.has_value());
  if (attach.from) {
    attaching.set("terminal.requested_offset", *attach.from);
    telemetry::berth_metrics().terminal_resumes.with({snapshot ? "snapshot" : "bytes"}).add();
  }
  attach.client->send(
      terminal::attached_message{start, end, snapshot.has_value(), state_.cols, state_.rows});
  if (snapshot) attach.client->send(terminal::snapshot_message{std::move(*snapshot)});
  if (input_held_) attach.client->hold_input(true);
  auto& slot =
      clients_
          .insert_or_assign(attach.client_id,
                            client_slot{attach.client, terminal::flow_control(start),
                                        attach.caller.user_id, attach.caller.remote_address})
          .first->second;
  count_clients();
  fill(attach.client_id, slot);
  if (state_.closed) {
    // A finished session is replayed; the client learns how it ended once caught up.
    pending_exit_clients_.push_back(attach.client_id);
    deliver_exit_when_caught_up();
    return;
  }
  ++grace_generation_;
  state_.attached_clients.insert(attach.client_id);
  const auto origin = origin_of(attach.caller);
  record(session_event::client_attached{attach.client_id, attach.caller.user_id,
                                        origin.remote_address},
         origin);
  touch_workspace(true);
  broadcast_status();
}

void session_actor::fill(const std::string& client_id, client_slot& slot) {
  while (slot.flow.may_send() && slot.flow.sent_end() < window_.received_end()) {
    const auto from = slot.flow.sent_end();
    if (from >= window_.memory_start()) {
      const auto bytes = window_.slice(from, max_frame_bytes);
      if (!slot.client->send_output(from, bytes)) return;
      slot.flow.record_sent(from, bytes.size());
      continue;
    }
    if (!slot.reading_log) read_log_for(client_id, slot, from);
    return;
  }
}

void session_actor::read_log_for(const std::string& client_id, client_slot& slot,
                                 std::int64_t from) {
  slot.reading_log = true;
  const auto until = std::min(window_.memory_start(), from + max_log_read);
  const auto first = chunk_holding(state_.output_index, from);
  const auto version =
      first < state_.output_index.size() ? state_.output_index[first].version : state_.version;
  auto read = std::make_shared<recorded_output>();
  request(context_->pool, caf::infinite, blocking_job{[=, context = context_, id = state_.id] {
            *read = read_recorded_output(context->store, id, from, until, version);
          }})
      .then(
          [=, this](caf::ok_atom) {
            const auto found = clients_.find(client_id);
            if (found == clients_.end()) return;
            auto& current = found->second;
            current.reading_log = false;
            if (!read->failure.empty() || read->bytes.empty() || current.flow.sent_end() != from) {
              if (!read->failure.empty()) log_warn("cannot read output", state_.id, read->failure);
              return;
            }
            std::string_view rest = read->bytes;
            auto offset = from;
            while (!rest.empty()) {
              const auto piece = rest.substr(0, max_frame_bytes);
              if (!current.client->send_output(offset, piece)) return;
              current.flow.record_sent(offset, piece.size());
              offset += static_cast<std::int64_t>(piece.size());
              rest.remove_prefix(piece.size());
            }
            fill(client_id, current);
            deliver_exit_when_caught_up();
          },
          [=, this](caf::error&) {
            if (auto found = clients_.find(client_id); found != clients_.end()) {
              found->second.reading_log = false;
            }
          });
}

void session_actor::deliver_exit_when_caught_up() {
  if (!state_.closed || phase_ != session_phase::closed) return;
  auto still = std::vector<std::string>{};
  for (const auto& id : pending_exit_clients_) {
    const auto found = clients_.find(id);
    if (found == clients_.end()) continue;
    if (found->second.flow.sent_end() < window_.received_end()) {
      still.push_back(id);
      continue;
    }
    const auto& how = *state_.closed;
    found->second.client->send(terminal::exit_message{how.exit_status.value_or(-1), how.signaled});
    found->second.client->end(terminal::farewell::session_ended, how.reason);
    clients_.erase(found);
  }
  pending_exit_clients_ = std::move(still);
  count_clients();
}

void session_actor::broadcast_status() {
  const auto running = link_phase_ == link_phase::up;
  const terminal::server_message message =
      terminal::status_message{running ? "running" : "reconnecting",
                               static_cast<int>(clients_.size()), state_.cols, state_.rows};
  for (auto& [id, slot] : clients_)
    slot.client->send(message);
}

}  // namespace berth::actors::session_detail
