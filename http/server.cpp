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

#include "telemetry/log.hpp"

namespace berth::http {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

using log_level = telemetry::level;

/// One connection (after Beast's advanced server example): read a request, hand it to the
/// worker pool, write the response on the connection's strand, repeat while keep-alive.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(tcp::socket socket, const server::options& opts, const handler& on_request,
             net::thread_pool& workers)
      : stream_(std::move(socket)), options_(opts), on_request_(on_request), workers_(workers) {}

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&connection::do_read, shared_from_this()));
  }

  /// Closes the connection from any thread (used at shutdown).
  void close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }

 private:
  void do_read() {
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
    auto respond = [self = shared_from_this()](response res) {
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->do_write(std::move(res)); });
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

  void do_write(response res) {
    auto message = std::make_shared<beast::http::response<beast::http::string_body>>(
        static_cast<beast::http::status>(res.status), 11);
    message->set(beast::http::field::server, "berth");
    message->set(beast::http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      message->set(name, value);
    message->body() = std::move(res.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    beast::http::async_write(
        stream_, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
          self->on_write(ec, message->need_eof());
        });
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
  bool keep_alive_ = true;
};

}  // namespace

struct server::impl {
  impl(options opts, handler on_request)
      : settings(std::move(opts)),
        handle_request(std::move(on_request)),
        workers(static_cast<std::size_t>(settings.worker_threads)),
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
        auto conn =
            std::make_shared<connection>(std::move(socket), settings, handle_request, workers);
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
    });
  }

  options settings;
  handler handle_request;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::mutex connections_mutex;
  std::vector<std::weak_ptr<connection>> connections;
};

server::server(options opts, handler on_request)
    : impl_(std::make_unique<impl>(std::move(opts), std::move(on_request))) {}

server::~server() {
  impl_->workers.join();
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
}

void server::stop() {
  impl_->shut_down();
}

std::string request::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

std::string request::path() const {
  return target.substr(0, target.find('?'));
}

response error_response(int status, const std::string& code, const std::string& message) {
  boost::json::object error{{"code", code}, {"message", message}};
  return response{status,
                  "application/json",
                  boost::json::serialize(boost::json::object{{"error", std::move(error)}}),
                  {}};
}

}  // namespace berth::http
