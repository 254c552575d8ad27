#include "bench/session_probes.hpp"

#include <algorithm>
#include <thread>

namespace berth::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using milliseconds_double = std::chrono::duration<double, std::milli>;

/// Typed into a session's shell: raw mode without echo, then `cat`. The quotes keep the
/// shell's echo of this line from containing the marker.
constexpr std::string_view cat_setup = "stty raw -echo; printf 'RE''ADY'; exec cat\r";
constexpr std::string_view ready_marker = "READY";
/// Printed around a bulk command's output, quoted the same way.
constexpr std::string_view bulk_start = "START";
constexpr std::string_view bulk_end = "END";
/// Typed by recovery probes; the round trips before the restart typed `x`.
constexpr char recovery_marker = 'R';
/// How long a recovery probe waits for its echo before typing again: input that arrives
/// while the server is re-attaching to the keeper is not delivered, and the probe also types
/// as soon as the session reports `running`.
constexpr std::chrono::milliseconds recovery_retype{250};
/// Pause before a recovery probe connects again (the server may not listen yet).
constexpr std::chrono::milliseconds recovery_reconnect{50};

}  // namespace

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds deadline) {
  const auto until = clock_type::now() + deadline;
  while (!done()) {
    if (clock_type::now() > until) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
    // Nothing pending: the condition can only change with time (or never).
    if (io.stopped() && !done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string session_ref::ws_target(std::optional<std::int64_t> from) const {
  return "/api/workspaces/" + workspace_id + "/sessions/" + session_id + "/ws" +
         (from ? "?from=" + std::to_string(*from) : std::string{});
}

// --- cat_session -----------------------------------------------------------------------------

cat_session::cat_session(boost::asio::io_context& io, session_ref ref)
    : io_(io), ref_(std::move(ref)), timer_(io) {}

void cat_session::connect(int port, const std::string& token) {
  auto self = shared_from_this();
  client_ = testing::async_terminal_client::start(
      io_, port, ref_.ws_target(0), token,
      {.on_attached = [self](std::int64_t) { self->client_->send_input(std::string(cat_setup)); },
       .on_status = {},
       .on_output = [self](std::int64_t, std::string_view bytes) { self->on_output(bytes); },
       .on_closed =
           [self](const std::string& why) {
             self->ended_ = why.empty() ? "closed by the benchmark" : why;
             self->timer_.cancel();
           }});
}

void cat_session::on_output(std::string_view bytes) {
  if (ready_) {
    if (on_echo) on_echo(bytes);
    return;
  }
  preamble_.append(bytes);
  if (preamble_.find(ready_marker) == std::string::npos) return;
  ready_ = true;
  preamble_.clear();
}

void cat_session::type_every_second(std::chrono::milliseconds delay, int count) {
  on_echo = [this](std::string_view) {
    if (!waiting_) return;
    waiting_ = false;
    samples_.push_back(milliseconds_double(clock_type::now() - sent_at_).count());
    if (ticks_left_ == 0) typing_ = false;
  };
  ticks_left_ = count;
  typing_ = count > 0;
  if (typing_) tick(delay);
}

void cat_session::tick(std::chrono::milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || !self->ended_.empty()) return;
    if (!self->waiting_) {
      self->waiting_ = true;
      self->sent_at_ = clock_type::now();
      self->client_->send_input("x");
      --self->ticks_left_;
    }
    if (self->ticks_left_ > 0) self->tick(std::chrono::seconds(1));
  });
}

probe_result<std::vector<std::shared_ptr<cat_session>>> attach_cats(
    boost::asio::io_context& io, int port, const std::string& token,
    const std::vector<session_ref>& refs) {
  std::vector<std::shared_ptr<cat_session>> sessions;
  for (const auto& ref : refs) {
    sessions.push_back(std::make_shared<cat_session>(io, ref));
    sessions.back()->connect(port, token);
  }
  std::string failure;
  const bool all_ready = run_until(
      io,
      [&] {
        std::size_t ready = 0;
        for (const auto& session : sessions) {
          if (!session->ended().empty()) failure = session->ended();
          ready += session->ready() ? 1 : 0;
        }
        return !failure.empty() || ready == sessions.size();
      },
      std::chrono::seconds(120));
  if (!failure.empty()) {
    close_cats(io, sessions);
    return tl::unexpected("a session's WebSocket ended: " + failure);
  }
  if (!all_ready) {
    close_cats(io, sessions);
    return tl::unexpected(std::string("sessions did not start `cat` within 120 s"));
  }
  return sessions;
}

void close_cats(boost::asio::io_context& io, std::vector<std::shared_ptr<cat_session>>& sessions) {
  for (auto& session : sessions)
    session->client().close();
  run_until(
      io,
      [&] {
        return std::all_of(sessions.begin(), sessions.end(),
                           [](const auto& session) { return !session->ended().empty(); });
      },
      std::chrono::seconds(10));
  sessions.clear();
}

// --- bulk_reader -----------------------------------------------------------------------------

std::string bulk_reader::typed() const {
  return "printf 'ST''ART'; " + command_ + "; printf 'EN''D'\r";
}

void bulk_reader::on_output(std::string_view bytes) {
  if (done_) return;
  if (started_) return consume(bytes);
  window_.append(bytes);
  const auto at = window_.find(bulk_start);
  if (at == std::string::npos) {
    // Keep what could be the marker's beginning.
    window_.erase(0, window_.size() - std::min(window_.size(), bulk_start.size() - 1));
    return;
  }
  started_ = true;
  const auto rest = window_.substr(at + bulk_start.size());
  window_.clear();
  consume(rest);
}

void bulk_reader::consume(std::string_view bytes) {
  // END may straddle frames: a trailing "E" or "EN" waits for the next one. The command's
  // own bytes are all `x`, so they never begin the marker.
  std::string text = std::move(window_);
  text.append(bytes);
  window_.clear();
  if (const auto at = text.find(bulk_end); at != std::string::npos) {
    if (at > 0) meter_.on_bytes(at);
    done_ = true;
    return;
  }
  std::size_t keep = 0;
  for (std::size_t length = bulk_end.size() - 1; length > 0 && keep == 0; --length) {
    if (text.ends_with(bulk_end.substr(0, length))) keep = length;
  }
  if (text.size() > keep) meter_.on_bytes(text.size() - keep);
  window_ = text.substr(text.size() - keep);
}

// --- recovery_probe --------------------------------------------------------------------------

recovery_probe::recovery_probe(boost::asio::io_context& io, int port, std::string token,
                               session_ref ref, std::int64_t from)
    : io_(io),
      port_(port),
      token_(std::move(token)),
      ref_(std::move(ref)),
      from_(from),
      timer_(io) {}

void recovery_probe::start() {
  if (stopped_) return;
  auto self = shared_from_this();
  ++attempts_;
  attached_ = false;
  client_ = testing::async_terminal_client::start(
      io_, port_, ref_.ws_target(from_), token_,
      {.on_attached =
           [self](std::int64_t) {
             self->attached_ = true;
             self->type_marker();
           },
       // The session is linked to its shell again: input typed now reaches it.
       .on_status =
           [self](const std::string& state) {
             if (state == "running") self->type_marker();
           },
       .on_output = [self](std::int64_t, std::string_view bytes) { self->on_output(bytes); },
       .on_closed = [self](const std::string& why) { self->on_closed(why); }});
}

void recovery_probe::stop() {
  stopped_ = true;
  timer_.cancel();
  if (client_) client_->close();
}

void recovery_probe::on_output(std::string_view bytes) {
  if (answered_ || bytes.find(recovery_marker) == std::string_view::npos) return;
  answered_ = true;
  answered_at_ = clock_type::now();
  stop();
}

void recovery_probe::on_closed(const std::string& why) {
  if (answered_ || stopped_) return;
  last_failure_ = why;
  timer_.cancel();
  timer_.expires_after(recovery_reconnect);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->start();
  });
}

void recovery_probe::type_marker() {
  if (answered_ || stopped_ || !attached_) return;
  client_->send_input(std::string(1, recovery_marker));
  timer_.expires_after(recovery_retype);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->type_marker();
  });
}

}  // namespace berth::bench
