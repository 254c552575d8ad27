#include "app/bench_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

extern char** environ;

namespace berth::app {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;

/// This process's environment with `overrides` replacing or adding variables.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [key, value] : overrides)
      replaced = replaced || key == name;
    if (!replaced) out.emplace_back(text);
  }
  for (const auto& [key, value] : overrides)
    out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> pointers_to(std::vector<std::string>& texts) {
  std::vector<char*> out;
  for (auto& text : texts)
    out.push_back(text.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

bench_server::bench_server(const options& settings) {
  const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> argv_text{self,         "serve",          "--listen", settings.listen,
                                     "--data-dir", settings.data_dir};
  auto environment_text = child_environment(settings.environment);
  auto argv = pointers_to(argv_text);
  auto envp = pointers_to(environment_text);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, settings.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (posix_spawn(&pid_, self.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  // The server logs `"msg":"serving"` with its port once it listens; it may also give up.
  for (int waited = 0; pid_ > 0 && port_ == 0 && waited < 6000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::ifstream log(settings.log_path);
    std::string line;
    while (std::getline(log, line)) {
      const auto at = line.find("\"port\":");
      if (line.find("\"msg\":\"serving\"") != std::string::npos && at != std::string::npos) {
        port_ = std::atoi(line.c_str() + at + 7);
      }
    }
  }
}

bench_server::~bench_server() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

std::int64_t bench_server::rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + std::strlen("VmRSS:"));
  }
  return 0;
}

void bench_server::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bench_http_client::bench_http_client(int port) : port_(port) {
  connect();
}

std::pair<int, std::string> bench_http_client::call(beast::http::verb verb,
                                                    const std::string& target,
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

void bench_http_client::connect() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
  stream_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                         static_cast<unsigned short>(port_)));
}

}  // namespace berth::app
