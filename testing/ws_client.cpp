#include "testing/ws_client.hpp"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace berth::testing {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

/// Limit on connecting, the opening handshake, one write and the closing handshake: far above
/// what a local server needs, so only a hang trips it.
constexpr std::chrono::seconds operation_timeout{10};

/// The close code of a connection that ended without a close frame (RFC 6455 section 7.1.5).
constexpr std::uint16_t abnormal_closure = 1006;

}  // namespace

/// Every Beast operation runs on `io_thread`, so reads, writes and Beast's automatic pongs and
/// close replies never overlap; the caller's thread only posts to it and waits.
struct ws_client::state {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  /// Keeps `io_thread` running while no operation is pending (set once connected).
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread io_thread;
  beast::flat_buffer buffer;  ///< io thread only
  std::mutex write_mutex;     ///< one write or close at a time, as Beast requires

  mutable std::mutex mutex;  ///< guards the four below
  std::condition_variable arrived;
  std::deque<ws_message> inbox;
  bool ended = false;
  std::uint16_t code = 0;
  std::string reason;

  ~state() {
    // Without a close handshake: a test that wants one calls close().
    work.reset();
    ioc.stop();
    if (io_thread.joinable()) io_thread.join();
  }

  void do_read() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      if (ec) return record_end();
      std::lock_guard lock(mutex);
      inbox.push_back({beast::buffers_to_string(buffer.data()), ws.got_binary()});
      buffer.consume(buffer.size());
      arrived.notify_all();
      do_read();
    });
  }

  /// The connection ended, or our close handshake finished (io thread). When this side closes,
  /// the pending read ends before the peer's close frame arrives, so the code is taken again.
  void record_end() {
    std::lock_guard lock(mutex);
    ended = true;
    const auto received = static_cast<std::uint16_t>(ws.reason().code);
    code = received != websocket::close_code::none ? received : abnormal_closure;
    reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
    arrived.notify_all();
  }

  /// Starts `operation(done)` on the io thread and waits for it to call `done`; cuts the
  /// connection if that takes longer than `operation_timeout`.
  template <typename Operation>
  beast::error_code run(Operation operation) {
    auto result = std::make_shared<std::promise<beast::error_code>>();
    auto finished = result->get_future();
    net::post(ioc, [this, operation = std::move(operation), result]() mutable {
      operation([result](beast::error_code ec) { result->set_value(ec); });
    });
    if (finished.wait_for(operation_timeout) == std::future_status::ready) return finished.get();
    net::post(ioc, [this] { beast::get_lowest_layer(ws).close(); });
    return finished.get();  // the cut aborts the operation
  }
};

tl::expected<ws_client, ws_refusal> ws_client::connect(
    int port, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  auto st = std::make_unique<state>();
  auto& ws = st->ws;
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers)
      req.set(name, value);
  }));
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(port));
  const auto host = "127.0.0.1:" + std::to_string(port);
  websocket::response_type response;
  beast::error_code result;
  // The handshake runs on this thread before the io thread exists.
  beast::get_lowest_layer(ws).expires_after(operation_timeout);
  beast::get_lowest_layer(ws).async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    ws.async_handshake(response, host, target,
                       [&](beast::error_code handshake_error) { result = handshake_error; });
  });
  st->ioc.run();
  st->ioc.restart();
  if (result == websocket::error::upgrade_declined) {
    return tl::unexpected(ws_refusal{static_cast<int>(response.result_int()), response.body(), ""});
  }
  if (result) return tl::unexpected(ws_refusal{0, "", result.message()});
  beast::get_lowest_layer(ws).expires_never();
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.handshake_timeout = operation_timeout;
  ws.set_option(timeouts);
  st->do_read();
  st->work.emplace(st->ioc.get_executor());
  st->io_thread = std::thread([raw = st.get()] { raw->ioc.run(); });
  return ws_client(std::move(st));
}

ws_client::ws_client(std::unique_ptr<state> connected) : state_(std::move(connected)) {}
ws_client::~ws_client() = default;
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client& ws_client::operator=(ws_client&&) noexcept = default;

bool ws_client::send_text(std::string_view message) {
  return send(message, false);
}

bool ws_client::send_binary(std::string_view message) {
  return send(message, true);
}

bool ws_client::send(std::string_view message, bool binary) {
  std::lock_guard lock(state_->write_mutex);
  auto* st = state_.get();
  return !st->run([st, message, binary](auto done) {
    st->ws.binary(binary);
    st->ws.async_write(net::buffer(message.data(), message.size()),
                       [done](beast::error_code ec, std::size_t) { done(ec); });
  });
}

std::optional<ws_message> ws_client::read(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->arrived.wait_for(lock, timeout, [&] { return !state_->inbox.empty() || state_->ended; });
  if (state_->inbox.empty()) return std::nullopt;
  auto message = std::move(state_->inbox.front());
  state_->inbox.pop_front();
  return message;
}

bool ws_client::closed() const {
  std::lock_guard lock(state_->mutex);
  return state_->ended;
}

std::uint16_t ws_client::close_code() const {
  std::lock_guard lock(state_->mutex);
  return state_->code;
}

std::string ws_client::close_reason() const {
  std::lock_guard lock(state_->mutex);
  return state_->reason;
}

void ws_client::close() {
  std::lock_guard lock(state_->write_mutex);
  auto* st = state_.get();
  st->run([st](auto done) {
    st->ws.async_close(websocket::close_code::normal, [st, done](beast::error_code ec) {
      st->record_end();
      done(ec);
    });
  });
}

}  // namespace berth::testing
