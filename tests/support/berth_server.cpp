#include "tests/support/berth_server.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace berth::testing {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string random_suffix() {
  std::random_device random;
  return std::to_string(random()) + std::to_string(random());
}

}  // namespace

berth_server::berth_server(std::string database_url, std::string data_dir,
                           std::map<std::string, std::string> environment)
    : database_url_(std::move(database_url)),
      data_dir_(std::move(data_dir)),
      instance_("test-" + random_suffix()),
      environment_(std::move(environment)) {}

berth_server::~berth_server() {
  process_.reset();  // SIGTERM, then SIGKILL after 20 s
  // The containers of this test's instance go with it.
  (void)shell("ids=$(docker ps -aq --filter label=berth.instance=" + instance_ +
              "); [ -z \"$ids\" ] || docker rm -f $ids >/dev/null; "
              "vols=$(docker volume ls -q --filter label=berth.instance=" +
              instance_ + "); [ -z \"$vols\" ] || docker volume rm -f $vols >/dev/null; true");
}

bool berth_server::start() {
  auto environment = environment_;
  environment["BERTH_DATABASE_URL"] = database_url_;
  environment["BERTH_INSTANCE"] = instance_;
  environment["BERTH_LOG_LEVEL"] = "debug";
  process_ = std::make_unique<server_process>(server_process::options{
      .binary = BERTH_BINARY, .data_dir = data_dir_, .environment = std::move(environment)});
  port_ = process_->port();
  EXPECT_GT(port_, 0) << "server did not start:\n" << process_->output();
  return port_ > 0;
}

std::string berth_server::output() const {
  return process_ ? process_->output() : std::string();
}

void berth_server::kill_hard() {
  if (!process_) return;
  process_->kill_hard();
  process_.reset();
}

std::string api_reply::header(const std::string& name) const {
  const auto wanted = lowercase(name) + ":";
  std::size_t start = 0;
  while (start < headers.size()) {
    auto end = headers.find("\r\n", start);
    if (end == std::string::npos) end = headers.size();
    const auto line = headers.substr(start, end - start);
    if (lowercase(line.substr(0, wanted.size())) == wanted) {
      auto value = line.substr(wanted.size());
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
    start = end + 2;
  }
  return {};
}

std::string api_reply::error_code() const {
  if (!json.is_object()) return {};
  const auto* failure = json.as_object().if_contains("error");
  if (!failure || !failure->is_object()) return {};
  const auto* code = failure->as_object().if_contains("code");
  return code && code->is_string() ? std::string(code->as_string()) : std::string();
}

bool api_client::login(const std::string& username, const std::string& password) {
  const auto reply = call(
      "POST", "/api/auth/login",
      boost::json::serialize(boost::json::object{{"username", username}, {"password", password}}));
  if (reply.status != 200) return false;
  auto cookie = reply.header("set-cookie");
  cookie_ = cookie.substr(0, cookie.find(';'));
  return !cookie_.empty();
}

api_reply api_client::call(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& extra_headers) const {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!cookie_.empty()) raw += "Cookie: " + cookie_ + "\r\n";
  if (!bearer_.empty()) raw += "Authorization: Bearer " + bearer_ + "\r\n";
  // JSON unless the caller says otherwise (the CSRF tests send what a form would).
  if (!body.empty() && lowercase(extra_headers).find("content-type:") == std::string::npos) {
    raw += "Content-Type: application/json\r\n";
  }
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
  api_reply reply;
  auto exchanged = http_exchange(server_.port(), raw, source_address_);
  if (!exchanged) return reply;
  reply.status = exchanged->status;
  reply.headers = exchanged->headers;
  reply.body = exchanged->body;
  if (lowercase(reply.header("transfer-encoding")) == "chunked") {
    reply.body = decode_chunked(reply.body).value_or("");
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(reply.body, ec);
  if (!ec) reply.json = std::move(parsed);
  return reply;
}

std::optional<std::string> decode_chunked(const std::string& body) {
  std::string decoded;
  std::size_t at = 0;
  for (;;) {
    const auto line_end = body.find("\r\n", at);
    if (line_end == std::string::npos) return std::nullopt;
    std::size_t size = 0;
    try {
      size = std::stoul(body.substr(at, line_end - at), nullptr, 16);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    at = line_end + 2;
    if (size == 0) return decoded;
    if (at + size + 2 > body.size()) return std::nullopt;
    decoded.append(body, at, size);
    at += size + 2;
  }
}

std::optional<std::string> shell(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return std::nullopt;
  std::string output;
  std::array<char, 4096> buffer{};
  while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    output.append(buffer.data(), n);
  }
  const int status = pclose(pipe.release());
  if (status != 0) return std::nullopt;
  return output;
}

}  // namespace berth::testing
