#include "bench/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

namespace berth::bench {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;

}  // namespace

http_client::http_client(int port) : port_(port) {
  connect();
}

std::pair<int, std::string> http_client::call(beast::http::verb verb, const std::string& target,
                                              const std::string& body) {
  beast::http::request<beast::http::string_body> request{verb, target, 11};
  request.set(beast::http::field::host, "127.0.0.1");
  if (!bearer_.empty()) {
    request.set(beast::http::field::authorization, "Bearer " + bearer_);
  } else if (!cookie_.empty()) {
    request.set(beast::http::field::cookie, cookie_);
  }
  if (!body.empty()) request.set(beast::http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  beast::http::write(stream_, request);
  beast::http::response<beast::http::string_body> response;
  beast::http::read(stream_, buffer_, response);
  if (const auto cookie = std::string(response[beast::http::field::set_cookie]);
      verb == beast::http::verb::post && target == "/api/auth/login" && !cookie.empty()) {
    cookie_ = cookie.substr(0, cookie.find(';'));
  }
  if (response.need_eof()) connect();
  return {response.result_int(), response.body()};
}

void http_client::connect() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
  stream_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                         static_cast<unsigned short>(port_)));
}

}  // namespace berth::bench
