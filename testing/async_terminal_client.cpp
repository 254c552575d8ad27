#include "testing/async_terminal_client.hpp"

#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>

#include "terminal/flow_control.hpp"
#include "terminal/protocol.hpp"

namespace berth::testing {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

/// Acks at most this often: 1 000 a second, half the server's budget for acks (2 000 a second,
/// apart from the 200 a second other messages get). Acking as soon as 5 000 bytes are in, as
/// docs/protocol.md's sketch does, means an ack per frame once frames are that large.
constexpr std::chrono::milliseconds min_ack_spacing{1};
/// Limit on connecting and the opening handshake: far above what a local server needs.
constexpr std::chrono::seconds connect_timeout{30};
/// Largest server message accepted: output frames are 64 KiB, snapshots can be megabytes.
constexpr std::size_t max_server_message = 64 * 1024 * 1024;

}  // namespace

std::shared_ptr<async_terminal_client> async_terminal_client::start(
    net::io_context& io, int port, std::string target, std::string token,
    async_terminal_handlers handlers) {
  auto client = std::make_shared<async_terminal_client>(io, port, std::move(target),
                                                        std::move(token), std::move(handlers));
  auto& stream = beast::get_lowest_layer(client->ws_);
  stream.expires_after(connect_timeout);
  stream.async_connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      [client](beast::error_code ec) { client->on_connected(ec); });
  return client;
}

async_terminal_client::async_terminal_client(net::io_context& io, int port, std::string target,
                                             std::string token, async_terminal_handlers handlers)
    : port_(port),
      target_(std::move(target)),
      token_(std::move(token)),
      handlers_(std::move(handlers)),
      ws_(io),
      ack_timer_(io) {}

void async_terminal_client::on_connected(beast::error_code ec) {
  if (ended_) return;
  if (ec) return end("connect: " + ec.message());
  // Acks and keystrokes are small writes that must not wait for the previous one's TCP ack.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(net::ip::tcp::no_delay(true), ignored);
  ws_.set_option(websocket::stream_base::decorator([token = token_](websocket::request_type& req) {
    req.set(beast::http::field::authorization, "Bearer " + token);
  }));
  ws_.read_message_max(max_server_message);
  ws_.async_handshake(refusal_, "127.0.0.1:" + std::to_string(port_), target_,
                      [self = shared_from_this()](beast::error_code handshake_ec) {
                        self->on_handshake(handshake_ec);
                      });
}

void async_terminal_client::on_handshake(beast::error_code ec) {
  if (ended_) return;
  if (ec) {
    if (ec == websocket::error::upgrade_declined) {
      return end("upgrade declined: HTTP " + std::to_string(refusal_.result_int()) + " " +
                 refusal_.body());
    }
    return end("handshake: " + ec.message());
  }
  if (closing_) return end({});
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  open_ = true;
  do_read();
  do_write();
}

void async_terminal_client::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_read(ec);
  });
}

void async_terminal_client::on_read(beast::error_code ec) {
  if (ec) {
    if (closing_) return end({});
    if (ec == websocket::error::closed) {
      return end(error_code_.empty() ? "closed " + std::to_string(ws_.reason().code) : error_code_);
    }
    return end(error_code_.empty() ? "read: " + ec.message() : error_code_);
  }
  const auto data = buffer_.cdata();
  const std::string_view message(static_cast<const char*>(data.data()), data.size());
  if (ws_.got_binary()) {
    on_binary(message);
  } else {
    on_text(message);
  }
  buffer_.consume(buffer_.size());
  if (!ended_) do_read();
}

void async_terminal_client::on_text(std::string_view text) {
  auto parsed = terminal::parse_server_text(text);
  if (!parsed) return;  // a newer server's message; nothing the benchmark needs
  if (const auto* attached = std::get_if<terminal::attached_message>(&*parsed)) {
    received_end_ = attached->from;
    acked_ = attached->from;
    if (handlers_.on_attached) handlers_.on_attached(attached->from);
  } else if (const auto* status = std::get_if<terminal::status_message>(&*parsed)) {
    if (handlers_.on_status) handlers_.on_status(status->state);
  } else if (const auto* error = std::get_if<terminal::error_message>(&*parsed)) {
    error_code_ = error->code;
  } else if (std::holds_alternative<terminal::exit_message>(*parsed)) {
    error_code_ = "exit";
  }
}

void async_terminal_client::on_binary(std::string_view frame) {
  auto output = terminal::decode_output(frame);
  if (!output) return end("bad output frame: " + output.error().message);
  if (output->offset != received_end_) {
    return end("output at " + std::to_string(output->offset) + ", expected " +
               std::to_string(received_end_));
  }
  received_end_ += static_cast<std::int64_t>(output->bytes.size());
  maybe_ack();
  if (handlers_.on_output) handlers_.on_output(output->offset, output->bytes);
}

/// Acks every 5 000 bytes (the protocol's ack interval) but no sooner than min_ack_spacing
/// after the previous ack; a deferred ack then covers everything received by the time it
/// goes, so a paused stream always gets the ack that resumes it.
void async_terminal_client::maybe_ack() {
  if (received_end_ - acked_ < terminal::ack_interval || ack_timer_armed_) return;
  const auto due = last_ack_at_ + min_ack_spacing;
  if (std::chrono::steady_clock::now() >= due) return send_ack();
  ack_timer_armed_ = true;
  ack_timer_.expires_at(due);
  ack_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->ack_timer_armed_ = false;
    if (!ec && !self->ended_) self->send_ack();
  });
}

void async_terminal_client::send_ack() {
  acked_ = received_end_;
  last_ack_at_ = std::chrono::steady_clock::now();
  queue(terminal::encode_client_message(terminal::ack_message{acked_}), false);
}

void async_terminal_client::send_input(std::string bytes) {
  queue(std::move(bytes), true);
}

void async_terminal_client::close() {
  if (ended_ || closing_) return;
  closing_ = true;
  ack_timer_.cancel();
  if (!open_) return end({});  // the handshake in flight ends when the socket closes
  do_write();
}

void async_terminal_client::queue(std::string message, bool binary) {
  if (ended_ || closing_) return;
  outbox_.emplace_back(std::move(message), binary);
  do_write();
}

void async_terminal_client::do_write() {
  if (writing_ || !open_ || ended_) return;
  if (outbox_.empty()) {
    // Beast allows one write at a time and a close counts as one; the read loop ends when
    // the closing handshake does.
    if (closing_ && !close_sent_) {
      close_sent_ = true;
      ws_.async_close(websocket::close_code::normal,
                      [self = shared_from_this()](beast::error_code ec) {
                        if (ec) self->end({});
                      });
    }
    return;
  }
  writing_ = true;
  ws_.binary(outbox_.front().second);
  ws_.async_write(net::buffer(outbox_.front().first),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->writing_ = false;
                    self->outbox_.pop_front();
                    if (ec) return self->end("write: " + ec.message());
                    self->do_write();
                  });
}

void async_terminal_client::end(const std::string& why) {
  if (ended_) return;
  ended_ = true;
  ack_timer_.cancel();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  // The handlers usually hold their owner, which holds this client: dropping them after the
  // last call breaks that cycle.
  auto handlers = std::move(handlers_);
  handlers_ = {};
  if (handlers.on_closed) handlers.on_closed(why);
}

}  // namespace berth::testing
