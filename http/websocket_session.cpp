#include "http/websocket_session.hpp"

#include <exception>
#include <string_view>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "telemetry/log.hpp"

namespace berth::http {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

namespace {

using log_level = telemetry::level;

/// Time limit on the opening and the closing handshake (RFC 6455 sections 4 and 7): a peer
/// that does not complete one within it is cut off.
constexpr std::chrono::seconds handshake_timeout{30};

/// A close frame carries at most 123 bytes of reason (RFC 6455 section 5.5); longer ones are
/// cut at a UTF-8 character boundary, since the reason must stay valid UTF-8.
std::string_view fit_close_reason(std::string_view reason) {
  constexpr std::size_t max_reason = 123;
  if (reason.size() <= max_reason) return reason;
  std::size_t end = max_reason;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80)
    --end;
  return reason.substr(0, end);
}

/// Errors that end a WebSocket in the ordinary course of things.
bool expected_end(beast::error_code ec) {
  return ec == websocket::error::closed || ec == net::error::operation_aborted ||
         ec == beast::error::timeout || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::bad_descriptor;
}

void log_error(beast::error_code ec, std::string_view what) {
  if (expected_end(ec)) return;
  telemetry::log(log_level::debug, "http.websocket", "connection error",
                 {{"op", what}, {"error", std::string_view(ec.message())}});
}

/// What handlers hold: it refers to the session weakly, so a handler that keeps its channel
/// (typically in state its own callbacks capture) creates no cycle and keeps no socket open.
class session_channel : public websocket_channel {
 public:
  explicit session_channel(std::weak_ptr<websocket_session> session)
      : session_(std::move(session)) {}

  bool send(std::string message, bool binary) override {
    auto session = session_.lock();
    return session && session->send(std::move(message), binary);
  }

  void close(std::uint16_t code, std::string reason) override {
    if (auto session = session_.lock()) session->close(code, std::move(reason));
  }

  std::size_t queued_bytes() const override {
    auto session = session_.lock();
    return session ? session->queued_bytes() : 0;
  }

  void hold_reading(bool hold) override {
    if (auto session = session_.lock()) session->hold_reading(hold);
  }

 private:
  std::weak_ptr<websocket_session> session_;
};

}  // namespace

websocket_session::websocket_session(net::ip::tcp::socket socket, upgrade_request request,
                                     const server::options& opts,
                                     std::shared_ptr<websocket_handlers> handlers)
    : executor_(socket.get_executor()),
      ws_(std::move(socket)),
      request_(std::move(request)),
      handlers_(std::move(handlers)),
      grace_timer_(executor_),
      message_limit_(opts.websocket_message_limit),
      idle_timeout_seconds_(opts.websocket_idle_timeout_seconds),
      queue_limit_(opts.websocket_queue_limit) {}

template <typename Callback>
void websocket_session::run_callback(const char* what, Callback&& callback) {
  try {
    std::forward<Callback>(callback)();
  } catch (const std::exception& e) {
    telemetry::log(log_level::error, "http.websocket", "handler threw",
                   {{"callback", std::string_view(what)}, {"error", std::string_view(e.what())}});
    close(websocket::close_code::internal_error, "internal error");
  }
}

void websocket_session::start() {
  net::dispatch(executor_, [self = shared_from_this()] {
    auto& ws = self->ws_;
    // Beast pings after half the idle time without traffic and closes the connection when the
    // other half passes in silence too: that is how a half-open peer is noticed.
    ws.set_option(websocket::stream_base::timeout{
        handshake_timeout, std::chrono::seconds(self->idle_timeout_seconds_), true});
    ws.read_message_max(self->message_limit_);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "berth"); }));
    // Bytes a client sent after its upgrade request, before the 101, are not passed on: RFC
    // 6455 section 4.1 has the client wait for the server's handshake first.
    ws.async_accept(self->request_, beast::bind_front_handler(&websocket_session::on_accept, self));
  });
}

void websocket_session::on_accept(beast::error_code ec) {
  request_ = {};
  if (ec) {
    handlers_.reset();  // the handshake failed: no callback runs
    return log_error(ec, "accept");
  }
  open_ = true;
  counted_.set(true);
  auto channel = std::make_shared<session_channel>(weak_from_this());
  run_callback("on_open", [&] {
    if (handlers_->on_open) handlers_->on_open(std::move(channel));
  });
  do_read();
}

void websocket_session::do_read() {
  if (read_pending_ || finished_) return;
  if (reads_held_) {
    std::lock_guard lock(mutex_);
    if (!closing_) return;  // a close handshake needs the read loop: holding ends with it
  }
  read_pending_ = true;
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::hold_reading(bool hold) {
  // Dispatch: a handler holding from on_message (on the strand) takes effect before the read
  // loop goes on; from another thread it waits its turn on the strand.
  net::dispatch(executor_, [self = shared_from_this(), hold] {
    self->reads_held_ = hold;
    // Pending operations keep a session alive; while held there may be none, so the session
    // holds itself until released or finished (a peer that vanishes meanwhile is noticed
    // when reading resumes).
    self->held_self_ = hold && !self->finished_ ? self : nullptr;
    if (!hold && self->open_) self->do_read();
  });
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
  read_pending_ = false;
  if (ec) return finish(ec);
  const auto data = buffer_.data();
  const std::string_view message(static_cast<const char*>(data.data()), data.size());
  const bool binary = ws_.got_binary();
  run_callback("on_message", [&] {
    if (handlers_->on_message) handlers_->on_message(message, binary);
  });
  buffer_.consume(buffer_.size());
  do_read();
}

bool websocket_session::send(std::string message, bool binary) {
  bool accepted = true;
  {
    std::lock_guard lock(mutex_);
    if (closing_) return false;
    if (queued_bytes_ + message.size() > queue_limit_) {
      // The client reads far slower than the server produces: rather than grow without bound
      // or hold up the producer, give up on this client and tell it why.
      telemetry::log(log_level::warn, "http.websocket", "closing a client that reads too slowly",
                     {{"queued_bytes", static_cast<std::int64_t>(queued_bytes_)}});
      closing_ = true;
      close_reason_ =
          websocket::close_reason(websocket::close_code::policy_error, "client too slow");
      drop_unsent_locked();
      accepted = false;
    } else {
      queued_bytes_ += message.size();
      outbox_.push_back({std::move(message), binary});
    }
  }
  net::post(executor_, [self = shared_from_this()] { self->do_write(); });
  return accepted;
}

void websocket_session::close(std::uint16_t code, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
    close_reason_ =
        websocket::close_reason(static_cast<websocket::close_code>(code), fit_close_reason(reason));
  }
  net::post(executor_, [self = shared_from_this()] {
    self->do_write();
    if (self->open_) self->do_read();  // a held connection reads again to finish the close
  });
}

std::size_t websocket_session::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
}

void websocket_session::do_write() {
  // Beast allows one write at a time, the close frame included.
  if (writing_ || close_sent_) return;
  std::unique_lock lock(mutex_);
  if (!outbox_.empty()) {
    front_in_flight_ = true;
    // A deque keeps references to its elements while others are appended, and the front is
    // not dropped while in flight.
    const auto& next = outbox_.front();
    lock.unlock();
    writing_ = true;
    ws_.binary(next.binary);
    ws_.async_write(net::buffer(next.data),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
    return;
  }
  if (!closing_) return;
  const auto reason = close_reason_;
  lock.unlock();
  writing_ = true;
  close_sent_ = true;
  ws_.async_close(
      reason, beast::bind_front_handler(&websocket_session::on_close_written, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  {
    std::lock_guard lock(mutex_);
    front_in_flight_ = false;
    queued_bytes_ -= outbox_.front().data.size();
    outbox_.pop_front();
    if (ec) {
      closing_ = true;
      drop_unsent_locked();
    }
  }
  if (!ec) return do_write();
  log_error(ec, "write");
  close_sent_ = true;
  // The connection is broken: make sure the read loop ends too, so on_close runs.
  if (!finished_) beast::get_lowest_layer(ws_).close();
}

void websocket_session::on_close_written(beast::error_code ec) {
  writing_ = false;
  if (!ec) return;  // the read loop ends with the close handshake
  log_error(ec, "close");
  if (!finished_) beast::get_lowest_layer(ws_).close();
}

void websocket_session::finish(beast::error_code ec) {
  log_error(ec, "read");
  finished_ = true;
  counted_.set(false);
  // Beast answered a close frame or failed the connection itself: nothing more goes out.
  close_sent_ = true;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    drop_unsent_locked();
  }
  grace_timer_.cancel();
  run_callback("on_close", [&] {
    if (handlers_->on_close) handlers_->on_close();
  });
  handlers_.reset();  // no callback runs any more: let go of what the handlers hold
  held_self_.reset();
}

void websocket_session::shut_down() {
  net::post(executor_, [self = shared_from_this()] { self->begin_shutdown(); });
}

void websocket_session::begin_shutdown() {
  if (finished_) return;
  if (!open_) {
    beast::get_lowest_layer(ws_).close();  // the handshake fails, no callback runs
    return;
  }
  close(websocket::close_code::going_away, "going away");
  grace_timer_.expires_after(shutdown_grace);
  grace_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->finished_) beast::get_lowest_layer(self->ws_).close();
  });
}

void websocket_session::drop_unsent_locked() {
  const auto keep = front_in_flight_ ? std::size_t{1} : std::size_t{0};
  outbox_.erase(outbox_.begin() + static_cast<std::ptrdiff_t>(keep), outbox_.end());
  queued_bytes_ = keep == 1 ? outbox_.front().data.size() : 0;
}

void websocket_registry::add(const std::shared_ptr<websocket_session>& session) {
  bool shutting_down = false;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
    sessions_.push_back(session);
    shutting_down = shutting_down_;
  }
  if (shutting_down) session->shut_down();
}

void websocket_registry::shut_down() {
  std::vector<std::shared_ptr<websocket_session>> open;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open)
    session->shut_down();
}

}  // namespace berth::http
