#include "testing/terminal_client.hpp"

#include <boost/json.hpp>

#include "terminal/protocol.hpp"

namespace berth::testing {

namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

tl::expected<terminal_client, ws_refusal> terminal_client::connect(
    int port, const std::string& workspace_id, const std::string& session_id,
    const std::string& token, std::optional<std::int64_t> from) {
  std::string target = "/api/workspaces/" + workspace_id + "/sessions/" + session_id + "/ws";
  if (from) target += "?from=" + std::to_string(*from);
  auto socket = ws_client::connect(port, target, {{"Authorization", "Bearer " + token}});
  if (!socket) return tl::unexpected(socket.error());
  return terminal_client(std::move(*socket));
}

bool terminal_client::pump(std::chrono::milliseconds timeout) {
  auto message = socket_.read(timeout);
  if (!message) return false;
  if (!message->binary) {
    auto parsed = json::parse(message->data);
    if (parsed.is_object() && start_ < 0 && parsed.as_object().contains("type") &&
        parsed.as_object().at("type") == "attached") {
      start_ = parsed.as_object().at("from").as_int64();
      acked_ = start_;
    }
    controls_.push_back(std::move(parsed));
    return true;
  }
  auto frame = terminal::decode_output(message->data);
  if (!frame) return true;
  if (start_ < 0) start_ = frame->offset;
  if (frame->offset != end()) ++discontinuities_;
  if (frame->offset <= end()) {
    const auto overlap = static_cast<std::size_t>(end() - frame->offset);
    if (overlap < frame->bytes.size()) output_.append(frame->bytes.substr(overlap));
  }
  if (end() - acked_ >= 5000) {
    acked_ = end();
    socket_.send_text(R"({"type":"ack","offset":)" + std::to_string(acked_) + "}");
  }
  return true;
}

bool terminal_client::wait_for(const std::string& text, std::chrono::milliseconds timeout,
                               std::size_t since) {
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (output_.size() > since && output_.find(text, since) != std::string::npos) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) return false;
    if (!pump(left) && socket_.closed()) return false;
  }
}

json::value terminal_client::wait_for_control(const std::string& type,
                                              std::chrono::milliseconds timeout,
                                              std::size_t since) {
  std::size_t seen = since;
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    for (; seen < controls_.size(); ++seen) {
      const auto& control = controls_[seen];
      if (control.is_object() && control.as_object().contains("type") &&
          control.as_object().at("type") == type.c_str()) {
        return control;
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) return nullptr;
    if (!pump(left) && socket_.closed()) return nullptr;
  }
}

void terminal_client::drain(std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0 || (!pump(left) && socket_.closed())) return;
  }
}

}  // namespace berth::testing
