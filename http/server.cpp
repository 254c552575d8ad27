#include "http/server.hpp"

#include <algorithm>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "http/chunk_queue.hpp"
#include "http/websocket_session.hpp"
#include "telemetry/log.hpp"

namespace berth::http {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

using log_level = telemetry::level;

/// One connection (after Beast's advanced server example): read a request, hand it to the
/// worker pool, write the response on the connection's strand, repeat while keep-alive; or
/// hand the socket to a WebSocket session when the handler accepts an upgrade.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(tcp::socket socket, const server::options& opts, const handler& on_request,
             net::thread_pool& workers, net::thread_pool& streams, websocket_registry& websockets)
      : stream_(std::move(socket)),
        options_(opts),
        on_request_(on_request),
        workers_(workers),
        streams_(streams),
        websockets_(websockets) {}

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&connection::do_read, shared_from_this()));
  }

  /// Closes the connection from any thread (used at shutdown).
  void close() {
    {
      // Directly, not on the strand: the Asio thread may already have stopped, and a producer
      // blocked on a full queue must wake up either way.
      std::lock_guard lock(producer_mutex_);
      closing_ = true;
      if (producer_queue_) producer_queue_->fail();
    }
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }

 private:
  void do_read() {
    upgrade_request_.reset();
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    beast::http::async_read(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == beast::http::error::end_of_stream) return do_close();
    if (ec == beast::http::error::body_limit) {
      return send_error(413, "too_large", "request body exceeds the limit");
    }
    if (ec == beast::http::error::header_limit) {
      return send_error(431, "headers_too_large", "request headers exceed the limit");
    }
    if (ec &&
        ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category() &&
        ec != beast::http::error::partial_message) {
      return send_error(400, "bad_request", "malformed HTTP request");
    }
    if (ec) return fail(ec, "read");
    const auto& message = parser_->get();
    keep_alive_ = message.keep_alive();
    request req;
    req.method = std::string(message.method_string());
    req.target = std::string(message.target());
    req.body = message.body();
    for (const auto& header : message) {
      std::string name(header.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      req.headers.emplace_back(std::move(name), std::string(header.value()));
    }
    beast::error_code ignored;
    req.remote_address = stream_.socket().remote_endpoint(ignored).address().to_string();
    stream_.expires_never();  // the handler's own time is not the client's idle time
    const bool head = message.method() == beast::http::verb::head;
    req.websocket_upgrade = beast::websocket::is_upgrade(message);
    if (req.websocket_upgrade) {
      // Kept for the handshake. A declined upgrade ends the connection: browsers open a
      // WebSocket on a connection of its own and never reuse it for requests.
      keep_alive_ = false;
      upgrade_request_ = parser_->release();
    }
    auto respond = [self = shared_from_this(), head](response res) {
      if (res.stream) {
        // Off the worker at once: the producer blocks while the client reads slowly.
        return net::post(self->streams_, [self, res = std::move(res), head]() mutable {
          self->produce_stream(std::move(res), head);
        });
      }
      net::post(self->stream_.get_executor(), [self, res = std::move(res), head]() mutable {
        self->do_write(std::move(res), head);
      });
    };
    // The handler lives in the server, which joins its workers before it goes.
    net::post(workers_, [&handler = on_request_, req = std::move(req),
                         respond = std::move(respond)]() mutable {
      try {
        handler(std::move(req), respond);
      } catch (const std::exception& e) {
        telemetry::log(log_level::error, "http.server", "handler threw",
                       {{"error", std::string_view(e.what())}});
        respond(error_response(500, "internal", "internal error"));
      }
    });
  }

  void send_error(int status, const std::string& code, const std::string& message) {
    keep_alive_ = false;
    do_write(error_response(status, code, message));
  }

  /// Runs a streamed response's producer on the calling (stream) thread while the strand writes
  /// the header and then each queued piece as a chunk (RFC 9112 section 7.1).
  void produce_stream(response res, bool head) {
    auto producer = std::move(res.stream);
    auto queue = std::make_shared<chunk_queue>();
    {
      std::lock_guard lock(producer_mutex_);
      if (closing_) return;
      if (!head) producer_queue_ = queue;
    }
    net::post(stream_.get_executor(),
              [self = shared_from_this(), res = std::move(res), queue, head]() mutable {
                self->do_write_stream_header(std::move(res), head ? nullptr : std::move(queue));
              });
    if (head) return;  // a HEAD response is its header alone: the body is never produced
    auto pump = [self = shared_from_this()] { self->do_write_chunk(); };
    const auto write = [&](std::string_view chunk) {
      while (!chunk.empty()) {
        const auto piece = chunk.substr(0, chunk_queue::max_piece);
        if (!queue->push(piece)) return false;
        net::post(stream_.get_executor(), pump);
        chunk.remove_prefix(piece.size());
      }
      return !queue->failed();
    };
    try {
      producer(write);
      queue->finish();
    } catch (const std::exception& e) {
      // The status line is out already, so the client learns of the failure by a cut-off body.
      telemetry::log(log_level::error, "http.server", "stream producer threw",
                     {{"error", std::string_view(e.what())}});
      queue->fail();
    }
    {
      // The last chunk may be out and a next request's producer registered already.
      std::lock_guard lock(producer_mutex_);
      if (producer_queue_ == queue) producer_queue_.reset();
    }
    net::post(stream_.get_executor(), pump);
  }

  void do_write_stream_header(response res, std::shared_ptr<chunk_queue> queue) {
    auto header = std::make_shared<beast::http::response<beast::http::empty_body>>(
        static_cast<beast::http::status>(res.status), 11);
    header->set(beast::http::field::server, "berth");
    header->set(beast::http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      header->set(name, value);
    header->keep_alive(keep_alive_);
    header->chunked(true);
    auto serializer =
        std::make_shared<beast::http::response_serializer<beast::http::empty_body>>(*header);
    const bool head = queue == nullptr;
    streaming_ = std::move(queue);
    writing_chunk_ = !head;  // pieces wait until the header is out
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    beast::http::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), header, serializer, head](beast::error_code ec, std::size_t) {
          self->on_write_stream_header(ec, head);
        });
  }

  void on_write_stream_header(beast::error_code ec, bool head) {
    if (head) return on_write(ec, !keep_alive_);
    writing_chunk_ = false;
    if (ec) return fail_stream(ec, "write header");
    do_write_chunk();
  }

  /// Writes the next queued piece, or the last chunk once the producer is done; one at a time.
  void do_write_chunk() {
    if (!streaming_ || writing_chunk_) return;
    if (streaming_->failed()) return fail_stream({}, "produce");
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    if (const auto* piece = streaming_->front()) {
      writing_chunk_ = true;
      net::async_write(stream_, beast::http::make_chunk(net::buffer(*piece)),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_write_chunk(ec);
                       });
    } else if (streaming_->finished()) {
      writing_chunk_ = true;
      net::async_write(stream_, beast::http::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_write_last_chunk(ec);
                       });
    }
  }

  void on_write_chunk(beast::error_code ec) {
    writing_chunk_ = false;
    if (ec) return fail_stream(ec, "write chunk");
    streaming_->pop();
    do_write_chunk();
  }

  void on_write_last_chunk(beast::error_code ec) {
    writing_chunk_ = false;
    streaming_.reset();
    on_write(ec, !keep_alive_);
  }

  /// Ends a stream that cannot go on: the producer's next write returns false, and the
  /// connection closes because the body is cut off.
  void fail_stream(beast::error_code ec, const char* what) {
    streaming_->fail();
    streaming_.reset();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    if (ec) fail(ec, what);
  }

  /// Writes a sized response; to a HEAD request its header alone, with the Content-Length the
  /// body would have had (RFC 9110 section 9.3.2).
  void do_write(response res, bool head = false) {
    if (res.websocket) {
      if (!upgrade_request_) {
        return send_error(400, "bad_request", "WebSocket upgrade expected");
      }
      return do_upgrade(std::move(res.websocket));
    }
    auto message = std::make_shared<beast::http::response<beast::http::string_body>>(
        static_cast<beast::http::status>(res.status), 11);
    message->set(beast::http::field::server, "berth");
    message->set(beast::http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      message->set(name, value);
    message->keep_alive(keep_alive_);
    const bool bodiless = res.status / 100 == 1 || res.status == 204 || res.status == 304;
    if (head && !bodiless) {
      message->content_length(res.body.size());
    } else {
      message->body() = std::move(res.body);
      message->prepare_payload();
    }
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    beast::http::async_write(
        stream_, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
          self->on_write(ec, message->need_eof());
        });
  }

  /// The connection becomes a WebSocket: the socket moves to a session, and this object
  /// ends once its last handler returns (a later `close` finds the socket gone).
  void do_upgrade(std::shared_ptr<websocket_handlers> handlers) {
    stream_.expires_never();  // the session keeps time with its own heartbeat
    auto session = std::make_shared<websocket_session>(
        stream_.release_socket(), std::move(*upgrade_request_), options_, std::move(handlers));
    upgrade_request_.reset();
    websockets_.add(session);
    session->start();
  }

  void on_write(beast::error_code ec, bool close) {
    if (ec) return fail(ec, "write");
    if (close) return do_close();
    do_read();
  }

  void do_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  void fail(beast::error_code ec, const char* what) {
    if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::error::eof || ec == net::error::connection_reset) {
      return;
    }
    telemetry::log(log_level::debug, "http.server", "connection error",
                   {{"op", std::string_view(what)}, {"error", std::string_view(ec.message())}});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  const server::options& options_;
  const handler& on_request_;
  net::thread_pool& workers_;
  net::thread_pool& streams_;  ///< runs streamed bodies' producers
  websocket_registry& websockets_;
  /// The request being answered when it asks for a WebSocket upgrade (strand only).
  std::optional<websocket_session::upgrade_request> upgrade_request_;
  bool keep_alive_ = true;
  std::shared_ptr<chunk_queue> streaming_;  ///< the streamed body being written (strand only)
  bool writing_chunk_ = false;              ///< a header or chunk write is pending (strand only)
  std::mutex producer_mutex_;               ///< guards the two below (any thread)
  bool closing_ = false;
  std::shared_ptr<chunk_queue> producer_queue_;  ///< the queue a producer may be blocked on
};

}  // namespace

struct server::impl {
  impl(options opts, handler on_request)
      : settings(std::move(opts)),
        handle_request(std::move(on_request)),
        workers(static_cast<std::size_t>(settings.worker_threads)),
        streams(static_cast<std::size_t>(settings.stream_threads)),
        acceptor(net::make_strand(ioc)),
        signals(ioc, SIGTERM, SIGINT) {}

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted) {
          telemetry::log(log_level::warn, "http.server", "accept failed",
                         {{"error", std::string_view(ec.message())}});
        }
        if (!acceptor.is_open()) return;
      } else {
        auto conn = std::make_shared<connection>(std::move(socket), settings, handle_request,
                                                 workers, streams, websockets);
        {
          std::lock_guard lock(connections_mutex);
          connections.erase(std::remove_if(connections.begin(), connections.end(),
                                           [](const auto& weak) { return weak.expired(); }),
                            connections.end());
          connections.push_back(conn);
        }
        conn->start();
      }
      do_accept();
    });
  }

  void shut_down() {
    net::post(acceptor.get_executor(), [this] {
      beast::error_code ignored;
      acceptor.close(ignored);
      signals.cancel(ignored);
      std::lock_guard lock(connections_mutex);
      for (auto& weak : connections) {
        if (auto conn = weak.lock()) conn->close();
      }
      websockets.shut_down();
    });
  }

  options settings;
  handler handle_request;
  websocket_registry websockets;  ///< outlives the sessions the io_context may still hold
  net::io_context ioc;
  net::thread_pool workers;
  net::thread_pool streams;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::mutex connections_mutex;
  std::vector<std::weak_ptr<connection>> connections;
};

server::server(options opts, handler on_request)
    : impl_(std::make_unique<impl>(std::move(opts), std::move(on_request))) {}

server::~server() {
  impl_->workers.join();
  impl_->streams.join();
}

tl::expected<std::uint16_t, std::string> server::start() {
  const auto& listen = impl_->settings.listen;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return tl::unexpected(std::string("listen address must be host:port"));
  auto host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return tl::unexpected("invalid listen address " + host + ": " + ec.message());
  unsigned long port = 0;
  try {
    port = std::stoul(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return tl::unexpected("invalid listen port in " + listen);
  }
  if (port > 65535) return tl::unexpected("invalid listen port in " + listen);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return tl::unexpected("cannot listen on " + listen + ": " + ec.message());
  impl_->do_accept();
  impl_->signals.async_wait([this](beast::error_code wait_error, int signal) {
    if (wait_error) return;
    telemetry::log(log_level::info, "http.server", "shutting down",
                   {{"signal", static_cast<std::int64_t>(signal)}});
    impl_->shut_down();
  });
  return acceptor.local_endpoint().port();
}

void server::run_until_signalled() {
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->settings.io_threads; ++i)
    extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& thread : extra)
    thread.join();
  impl_->workers.join();
  impl_->streams.join();
}

void server::stop() {
  impl_->shut_down();
}

}  // namespace berth::http
