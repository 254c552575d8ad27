#include "docker/exec_stream.hpp"

#include <array>
#include <atomic>
#include <deque>
#include <type_traits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "docker/url.hpp"

namespace berth::docker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class exec_stream::session {
 public:
  virtual ~session() = default;
  virtual void write(std::string bytes) = 0;
  virtual void shutdown_send() = 0;
  virtual void close() = 0;
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;

  std::size_t queued_bytes() const { return queued_bytes_.load(std::memory_order_relaxed); }

 protected:
  std::atomic<std::size_t> queued_bytes_{0};
};

namespace {

// An error reply to the upgrade request is a short JSON message.
constexpr std::uint64_t max_error_body = 64 * 1024;
// One read's worth of output; the daemon's own copy buffer is 32 KiB.
constexpr std::size_t read_chunk = 64 * 1024;

// One hijacked connection over a unix (`local::stream_protocol`) or TCP socket. Every handler
// runs on `strand_`, so the state below needs no lock; public calls post onto the strand.
template <class Protocol>
class hijack_session final : public exec_stream::session,
                             public std::enable_shared_from_this<hijack_session<Protocol>> {
 public:
  hijack_session(asio::io_context& io, docker_host host, api_version version, std::string exec_id,
                 exec_stream_options options, exec_stream_handlers handlers)
      : strand_(asio::make_strand(io)),
        socket_(strand_),
        deadline_(strand_),
        host_(std::move(host)),
        version_(version),
        exec_id_(std::move(exec_id)),
        options_(options),
        handlers_(std::move(handlers)) {}

  void start() {
    asio::post(strand_, [self = this->shared_from_this()] { self->do_connect(); });
  }

  void write(std::string bytes) override {
    queued_bytes_ += bytes.size();
    asio::post(strand_, [self = this->shared_from_this(), bytes = std::move(bytes)]() mutable {
      self->do_queue(std::move(bytes));
    });
  }

  void shutdown_send() override {
    asio::post(strand_, [self = this->shared_from_this()] { self->do_request_shutdown(); });
  }

  void close() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->fail(error{error_code::cancelled, 0, "exec stream closed by the caller"});
    });
  }

  void pause_reading() override {
    asio::post(strand_, [self = this->shared_from_this()] { self->paused_ = true; });
  }

  void resume_reading() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->paused_ = false;
      self->do_read();
    });
  }

 private:
  static constexpr bool is_tcp = std::is_same_v<Protocol, asio::ip::tcp>;

  void do_connect() {
    deadline_.expires_after(options_.connect_timeout);
    deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec != asio::error::operation_aborted) self->on_deadline();
    });
    if constexpr (is_tcp) {
      resolver_.emplace(strand_);
      resolver_->async_resolve(
          host_.host, std::to_string(host_.port),
          [self = this->shared_from_this()](beast::error_code ec,
                                            asio::ip::tcp::resolver::results_type results) {
            if (ec) return self->fail(unavailable("resolve", ec));
            asio::async_connect(
                self->socket_, results,
                [self](beast::error_code connect_ec, const asio::ip::tcp::endpoint&) {
                  self->on_connect(connect_ec);
                });
          });
    } else {
      socket_.async_connect(
          typename Protocol::endpoint{host_.socket_path},
          [self = this->shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
    }
  }

  void on_deadline() {
    if (upgraded_ || finished_) return;
    fail(error{error_code::timeout, 0, "exec start: no upgrade within the connect timeout"});
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail(unavailable("connect", ec));
    request_ = {http::verb::post,
                "/v" + to_string(version_) + "/exec/" + encode_path(exec_id_) + "/start", 11};
    request_.set(http::field::host,
                 is_tcp ? host_.host + ":" + std::to_string(host_.port) : std::string{"docker"});
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::connection, "Upgrade");
    request_.set(http::field::upgrade, "tcp");
    request_.body() =
        options_.tty ? R"({"Detach":false,"Tty":true})" : R"({"Detach":false,"Tty":false})";
    request_.prepare_payload();
    http::async_write(socket_, request_,
                      [self = this->shared_from_this()](beast::error_code write_ec, std::size_t) {
                        self->on_request_written(write_ec);
                      });
  }

  void on_request_written(beast::error_code ec) {
    if (ec) return fail(unavailable("send upgrade request", ec));
    parser_.body_limit(max_error_body);
    http::async_read_header(
        socket_, buffer_, parser_,
        [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
          self->on_reply_header(read_ec);
        });
  }

  void on_reply_header(beast::error_code ec) {
    if (ec) return fail(unavailable("read upgrade reply", ec));
    int status = parser_.get().result_int();
    if (status == 101 || status == 200) return on_upgraded();
    // An error reply (404 no such exec, 409 container paused, ...) carries a JSON message.
    http::async_read(
        socket_, buffer_, parser_,
        [self = this->shared_from_this(), status](beast::error_code body_ec, std::size_t) {
          std::string body = body_ec ? std::string{} : self->parser_.get().body();
          self->fail(error_from_reply(status, body));
        });
  }

  void on_upgraded() {
    upgraded_ = true;
    deadline_.cancel();
    // Bytes read past the reply header already belong to the raw stream.
    auto early = buffer_.data();
    deliver(std::string_view{static_cast<const char*>(early.data()), early.size()});
    buffer_.consume(buffer_.size());
    if (finished_) return;
    do_read();
    if (!queue_.empty()) {
      do_write();
    } else if (shutdown_requested_) {
      do_shutdown();
    }
  }

  // The one place a read starts: at most one is pending, none before the upgrade (the header
  // parser owns the socket), none after the end, and none while the caller has paused us.
  void do_read() {
    if (!upgraded_ || finished_ || reading_ || paused_) return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(read_buffer_),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t count) {
          self->on_read(ec, count);
        });
  }

  void on_read(beast::error_code ec, std::size_t count) {
    reading_ = false;
    if (count > 0) deliver(std::string_view{read_buffer_.data(), count});
    if (finished_) return;
    if (ec == asio::error::eof) {
      if (!options_.tty && !deframer_.at_frame_boundary()) {
        return fail(error{error_code::protocol, 0, "exec stream ended inside a frame"});
      }
      return finish(std::nullopt);
    }
    if (ec) return fail(unavailable("read exec output", ec));
    do_read();
  }

  void deliver(std::string_view bytes) {
    if (bytes.empty() || finished_) return;
    if (options_.tty) {
      if (handlers_.on_output) handlers_.on_output(stream_kind::std_out, bytes);
      return;
    }
    auto result = deframer_.feed(bytes);
    for (const auto& piece : result.pieces) {
      if (finished_) return;  // a handler may have closed the stream
      if (handlers_.on_output) handlers_.on_output(piece.stream, piece.bytes);
    }
    if (result.failure) {
      fail(error{error_code::protocol, 0, std::string{to_string(*result.failure)}});
    }
  }

  void do_queue(std::string bytes) {
    if (finished_ || shutdown_requested_) {
      // Nothing will send them: the stream is gone or stdin was already closed.
      queued_bytes_ -= bytes.size();
      return;
    }
    queue_.push_back(std::move(bytes));
    if (upgraded_ && !writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
    if (finished_) return;
    if (ec) return fail(unavailable("write exec input", ec));
    if (!queue_.empty()) return do_write();
    if (shutdown_requested_) do_shutdown();
  }

  void do_request_shutdown() {
    if (finished_ || shutdown_requested_) return;
    shutdown_requested_ = true;
    if (upgraded_ && !writing_ && queue_.empty()) do_shutdown();
  }

  void do_shutdown() {
    beast::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_send, ec);
    if (ec) fail(unavailable("half-close exec input", ec));
  }

  static error unavailable(std::string_view step, beast::error_code ec) {
    return error{error_code::daemon_unavailable, 0,
                 "exec stream: " + std::string{step} + ": " + ec.message()};
  }

  void fail(error failure) { finish(std::move(failure)); }

  void finish(std::optional<error> failure) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    if (resolver_) resolver_->cancel();
    beast::error_code ignored;
    socket_.close(ignored);
    // An in-flight write keeps its buffer: its completion handler pops and accounts for it.
    auto first_unsent = queue_.begin() + (writing_ ? 1 : 0);
    for (auto pending = first_unsent; pending != queue_.end(); ++pending) {
      queued_bytes_ -= pending->size();
    }
    queue_.erase(first_unsent, queue_.end());
    // Dropping the handlers breaks cycles between the caller's objects and this session.
    auto on_closed = std::move(handlers_.on_closed);
    handlers_ = {};
    if (on_closed) on_closed(std::move(failure));
  }

  asio::strand<asio::io_context::executor_type> strand_;
  typename Protocol::socket socket_;
  asio::steady_timer deadline_;
  std::optional<asio::ip::tcp::resolver> resolver_;
  docker_host host_;
  api_version version_;
  std::string exec_id_;
  exec_stream_options options_;
  exec_stream_handlers handlers_;

  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  std::array<char, read_chunk> read_buffer_{};
  multiplex_deframer deframer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool upgraded_ = false;
  bool shutdown_requested_ = false;
  bool finished_ = false;
};

template <class Protocol>
std::shared_ptr<exec_stream::session> start_session(asio::io_context& io, const docker_host& host,
                                                    api_version version, std::string exec_id,
                                                    exec_stream_options options,
                                                    exec_stream_handlers handlers) {
  auto state = std::make_shared<hijack_session<Protocol>>(io, host, version, std::move(exec_id),
                                                          options, std::move(handlers));
  state->start();
  return state;
}

}  // namespace

exec_stream exec_stream::open(asio::io_context& io, const docker_host& host, api_version version,
                              std::string exec_id, exec_stream_options options,
                              exec_stream_handlers handlers) {
  if (host.transport == docker_host::kind::tcp) {
    return exec_stream{start_session<asio::ip::tcp>(io, host, version, std::move(exec_id), options,
                                                    std::move(handlers))};
  }
  return exec_stream{start_session<asio::local::stream_protocol>(
      io, host, version, std::move(exec_id), options, std::move(handlers))};
}

exec_stream::exec_stream(std::shared_ptr<session> state) : session_(std::move(state)) {}
exec_stream::exec_stream(exec_stream&&) noexcept = default;

exec_stream& exec_stream::operator=(exec_stream&& other) noexcept {
  if (this != &other) {
    if (session_) session_->close();
    session_ = std::move(other.session_);
  }
  return *this;
}

exec_stream::~exec_stream() {
  if (session_) session_->close();
}

void exec_stream::write(std::string bytes) {
  if (session_) session_->write(std::move(bytes));
}

void exec_stream::shutdown_send() {
  if (session_) session_->shutdown_send();
}

void exec_stream::close() {
  if (session_) session_->close();
}

std::size_t exec_stream::queued_bytes() const {
  return session_ ? session_->queued_bytes() : 0;
}

void exec_stream::pause_reading() {
  if (session_) session_->pause_reading();
}

void exec_stream::resume_reading() {
  if (session_) session_->resume_reading();
}

}  // namespace berth::docker
