#include "http/terminal_socket.hpp"

#include <chrono>
#include <utility>

#include "events/uuid.hpp"

namespace berth::http {
namespace {

/// WebSocket close codes (RFC 6455 section 7.4.1; 4000-4999 are the application's).
constexpr std::uint16_t close_normal = 1000;
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_policy_violation = 1008;
constexpr std::uint16_t close_message_too_big = 1009;
constexpr std::uint16_t close_not_found = 4404;

std::chrono::steady_clock::time_point steady_now() {
  return std::chrono::steady_clock::now();
}

}  // namespace

std::optional<std::uint16_t> close_code_after(terminal::protocol_error_code code) {
  using terminal::protocol_error_code;
  if (!terminal::ends_stream(code)) return std::nullopt;
  switch (code) {
    case protocol_error_code::frame_too_large:
      return close_message_too_big;
    case protocol_error_code::unknown_session:
      return close_not_found;
    default:
      return close_policy_violation;  // the stream cannot go on correctly
  }
}

terminal_socket::terminal_socket(actors::session_service& sessions, std::string session_id,
                                 actors::session_caller caller, std::optional<std::int64_t> from,
                                 credential_watch* watch, accounts::principal who,
                                 std::string credential, std::shared_ptr<void> ticket)
    : sessions_(sessions),
      session_id_(std::move(session_id)),
      client_id_(events::make_uuid_v7()),
      caller_(std::move(caller)),
      from_(from),
      limiter_({}, steady_now),
      // Acks have their own, larger budget: a client acks per frame when frames are large,
      // and that must not use up what typing and resizing may send.
      ack_limiter_({.rate = 2000, .burst = 4000}, steady_now),
      watch_(watch),
      who_(std::move(who)),
      credential_(std::move(credential)),
      ticket_(std::move(ticket)) {}

bool terminal_socket::send_output(std::int64_t offset, std::string_view bytes) {
  return send_frame(terminal::encode_output(offset, bytes), true);
}

bool terminal_socket::send(const terminal::server_message& message) {
  return send_frame(terminal::encode_server_message(message), false);
}

void terminal_socket::refuse(const terminal::protocol_error& error) {
  send_frame(terminal::encode_error(error), false);
  close(close_code_after(error.code).value_or(close_policy_violation),
        std::string(terminal::to_string(error.code)));
}

void terminal_socket::report(const terminal::protocol_error& error) {
  if (terminal::ends_stream(error.code)) return refuse(error);
  send_frame(terminal::encode_error(error), false);
}

void terminal_socket::end(terminal::farewell why, std::string detail) {
  close(why == terminal::farewell::session_ended ? close_normal : close_going_away,
        std::move(detail));
}

void terminal_socket::hold_input(bool hold) {
  if (auto channel = channel_of()) channel->hold_reading(hold);
}

std::shared_ptr<websocket_handlers> terminal_socket::handlers() {
  auto self = shared_from_this();
  auto out = std::make_shared<websocket_handlers>();
  out->on_open = [self](std::shared_ptr<websocket_channel> channel) {
    {
      std::lock_guard lock(self->mutex_);
      self->channel_ = std::move(channel);
    }
    self->start_watch();
    self->sessions_.attach(self->session_id_, self->client_id_, self, self->from_, self->caller_);
  };
  out->on_message = [self](std::string_view message, bool binary) {
    self->on_message(message, binary);
  };
  out->on_close = [self] {
    self->sessions_.detach(self->session_id_, self->client_id_);
    std::optional<std::uint64_t> watched;
    {
      std::lock_guard lock(self->mutex_);
      self->channel_.reset();  // breaks the cycle channel → handlers → socket → channel
      self->ticket_.reset();   // the session may hold the socket a moment longer
      watched = std::exchange(self->watch_id_, std::nullopt);
    }
    if (watched) self->watch_->remove(*watched);
  };
  return out;
}

std::shared_ptr<websocket_channel> terminal_socket::channel_of() {
  std::lock_guard lock(mutex_);
  return channel_;
}

bool terminal_socket::send_frame(std::string frame, bool binary) {
  auto channel = channel_of();
  return channel && channel->send(std::move(frame), binary);
}

void terminal_socket::close(std::uint16_t code, std::string reason) {
  if (auto channel = channel_of()) channel->close(code, std::move(reason));
}

void terminal_socket::start_watch() {
  if (!watch_) return;
  // Weak: the watch must not keep a closed socket alive.
  std::weak_ptr<terminal_socket> weak = shared_from_this();
  const auto id =
      watch_->add({std::move(who_), std::move(credential_), [weak](std::string_view reason) {
                     if (auto socket = weak.lock()) {
                       socket->close(credentials_revoked_close_code, std::string(reason));
                     }
                   }});
  std::lock_guard lock(mutex_);
  watch_id_ = id;
}

void terminal_socket::on_message(std::string_view message, bool binary) {
  using namespace terminal;
  if (binary) {
    if (!limiter_.allow()) return refuse_rate();
    if (auto checked_input = check_client_input(message); !checked_input) {
      return report(checked_input.error());
    }
    return sessions_.input(session_id_, client_id_, std::string(message));
  }
  if (message.size() > max_client_text_size) {
    return report({protocol_error_code::frame_too_large, "control message too large"});
  }
  auto parsed = parse_client_text(message);
  // Acks use their own budget (see the constructor). Refused frames count as others.
  const auto* ack = parsed ? std::get_if<ack_message>(&*parsed) : nullptr;
  if (!(ack ? ack_limiter_ : limiter_).allow()) return refuse_rate();
  if (!parsed) return report(parsed.error());
  if (ack) return sessions_.ack(session_id_, client_id_, ack->offset);
  if (const auto* resize = std::get_if<resize_message>(&*parsed)) {
    return sessions_.resize(session_id_, client_id_, resize->cols, resize->rows);
  }
  send(pong_message{});
}

void terminal_socket::refuse_rate() {
  refuse({terminal::protocol_error_code::rate_limited, "more messages than allowed"});
}

}  // namespace berth::http
