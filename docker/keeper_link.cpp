#include "docker/keeper_link.hpp"

#include <atomic>
#include <mutex>
#include <ostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "docker/exec_stream.hpp"
#include "docker/keeper/protocol.hpp"

namespace berth::docker {

namespace asio = boost::asio;

namespace {

/// What Docker 20.10 writes into the stream when an exec is started a second time.
constexpr std::string_view reused_exec_text = "Error: Exec command ";
/// Text before the hello and stderr kept for error messages; more is of no help in a log.
constexpr std::size_t kept_text_limit = 4096;
/// Characters of such text quoted in an error message.
constexpr std::size_t quoted_text_limit = 300;

void append_bounded(std::string& kept, std::string_view bytes) {
  kept.append(bytes.substr(0, kept_text_limit - std::min(kept.size(), kept_text_limit)));
}

/// Text for a log line: trimmed, shortened, control characters shown as escapes.
std::string quote(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  std::string quoted;
  for (char c : text.substr(0, quoted_text_limit)) {
    if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\r') {
      quoted += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      quoted += '?';
    } else {
      quoted += c;
    }
  }
  if (text.size() > quoted_text_limit) quoted += "...";
  return quoted;
}

}  // namespace

std::string_view to_string(keeper_link_failure failure) {
  switch (failure) {
    case keeper_link_failure::docker:
      return "docker";
    case keeper_link_failure::exec_already_used:
      return "exec_already_used";
    case keeper_link_failure::keeper_unreachable:
      return "keeper_unreachable";
    case keeper_link_failure::not_a_keeper:
      return "not_a_keeper";
    case keeper_link_failure::incompatible_version:
      return "incompatible_version";
    case keeper_link_failure::hello_timeout:
      return "hello_timeout";
    case keeper_link_failure::protocol:
      return "protocol";
    case keeper_link_failure::interrupted:
      return "interrupted";
    case keeper_link_failure::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, keeper_link_failure failure) {
  return out << to_string(failure);
}

std::string describe(const keeper_link_error& failure) {
  return std::string{to_string(failure.failure)} + ": " + failure.message;
}

// Shared by the link, the exec stream's handlers (through weak pointers, so a dropped link is
// not kept alive by its stream) and the hello timer. Stream handlers run on the stream's
// strand, so the decoding state below is touched by one handler at a time.
class keeper_link::state : public std::enable_shared_from_this<keeper_link::state> {
 public:
  state(asio::io_context& io, std::string exec_id, keeper_link_handlers handlers,
        keeper_link_options options)
      : exec_id_(std::move(exec_id)),
        handlers_(std::move(handlers)),
        options_(std::move(options)),
        timer_strand_(asio::make_strand(io)),
        hello_timer_(timer_strand_) {}

  void start(asio::io_context& io, const docker_host& host, api_version version) {
    std::weak_ptr<state> weak = weak_from_this();
    // Armed on the timer's strand before the stream exists, so any cancel posted by a stream
    // handler runs after it.
    asio::post(timer_strand_, [weak] {
      auto self = weak.lock();
      if (!self || self->phase_.load() != hello_phase::waiting) return;
      self->hello_timer_.expires_after(self->options_.hello_timeout);
      self->hello_timer_.async_wait([weak](boost::system::error_code ec) {
        if (ec) return;  // cancelled: the hello came, or the link ended
        if (auto timed_out = weak.lock()) timed_out->on_hello_timeout();
      });
    });
    auto stream = exec_stream::open(io, host, version, exec_id_,
                                    {.tty = false, .connect_timeout = options_.connect_timeout},
                                    {.on_output =
                                         [weak](stream_kind kind, std::string_view bytes) {
                                           if (auto self = weak.lock())
                                             self->on_output(kind, bytes);
                                         },
                                     .on_closed =
                                         [weak](std::optional<error> failure) {
                                           if (auto self = weak.lock())
                                             self->on_stream_closed(std::move(failure));
                                         }});
    std::lock_guard lock{stream_mutex_};
    stream_.emplace(std::move(stream));
    // A failure may have been decided on another thread before the stream was stored.
    if (close_requested_) stream_->close();
  }

  void send(const keeper::message& message) {
    std::lock_guard lock{stream_mutex_};
    if (stream_) stream_->write(keeper::encode_message(message));
  }

  void shutdown_send() {
    std::lock_guard lock{stream_mutex_};
    if (stream_) stream_->shutdown_send();
  }

  void close_stream() {
    std::lock_guard lock{stream_mutex_};
    close_requested_ = true;
    if (stream_) stream_->close();
  }

  std::size_t queued_bytes() const {
    std::lock_guard lock{stream_mutex_};
    return stream_ ? stream_->queued_bytes() : 0;
  }

  void pause_reading() {
    std::lock_guard lock{stream_mutex_};
    if (stream_) stream_->pause_reading();
  }

  void resume_reading() {
    std::lock_guard lock{stream_mutex_};
    if (stream_) stream_->resume_reading();
  }

  const std::string& exec_id() const { return exec_id_; }

  /// Called by the link's destructor: no callback may start afterwards.
  void detach() {
    {
      std::lock_guard lock{callback_mutex_};
      detached_ = true;
    }
    close_stream();
    cancel_hello_timer();
  }

 private:
  void on_output(stream_kind kind, std::string_view bytes) {
    if (finished_) return;
    if (kind == stream_kind::std_err) {
      append_bounded(stderr_text_, bytes);
      std::lock_guard lock{callback_mutex_};
      if (!detached_ && handlers_.on_diagnostic) handlers_.on_diagnostic(bytes);
      return;
    }
    if (!hello_seen_) append_bounded(preamble_text_, bytes);
    decoder_.feed(bytes);
    std::lock_guard lock{callback_mutex_};
    while (!finished_) {
      auto step = decoder_.next();
      if (std::holds_alternative<keeper::need_more>(step)) {
        if (!detached_ && handlers_.should_pause && handlers_.should_pause()) pause_reading();
        return;
      }
      if (auto* failure = std::get_if<keeper::decode_error>(&step)) {
        return fail(hello_seen_ ? link_error(keeper_link_failure::protocol, failure->message)
                                : classify_preamble(failure->message, true));
      }
      auto parsed = keeper::parse_message(std::get<keeper::frame>(step));
      if (auto* failure = std::get_if<keeper::decode_error>(&parsed)) {
        return fail(link_error(keeper_link_failure::protocol, failure->message));
      }
      auto& message = std::get<keeper::message>(parsed);
      if (!hello_seen_ && !accept_hello(message)) return;
      if (!detached_ && handlers_.on_message) handlers_.on_message(message);
    }
  }

  /// Checks the first frame; false after failing the link.
  bool accept_hello(const keeper::message& message) {
    // In expect_hello mode the decoder's first frame carries the hello signature.
    const auto* greeting = std::get_if<keeper::hello>(&message);
    if (!greeting) {
      fail(link_error(keeper_link_failure::protocol, "first frame is not a hello"));
      return false;
    }
    // Whoever moves the phase first wins: a hello racing the timer's close is too late.
    auto expected = hello_phase::waiting;
    if (!phase_.compare_exchange_strong(expected, hello_phase::greeted)) return false;
    if (greeting->version != keeper::protocol_version) {
      fail(link_error(keeper_link_failure::incompatible_version,
                      "keeper speaks protocol version " + std::to_string(greeting->version) +
                          ", Berth speaks " + std::to_string(keeper::protocol_version)));
      return false;
    }
    hello_seen_ = true;
    preamble_text_.clear();
    cancel_hello_timer();
    return true;
  }

  void on_stream_closed(std::optional<error> failure) {
    if (finished_) return;
    std::lock_guard lock{callback_mutex_};
    if (phase_.load() == hello_phase::timed_out) {
      return finish(link_error(keeper_link_failure::hello_timeout,
                               "no hello from the keeper within " +
                                   std::to_string(options_.hello_timeout.count()) + " ms"));
    }
    if (failure && failure->code == error_code::cancelled) {
      return finish(link_error(keeper_link_failure::cancelled, failure->message));
    }
    if (failure) {
      auto result = link_error(keeper_link_failure::docker, describe(*failure));
      result.docker = std::move(failure);
      return finish(std::move(result));
    }
    if (!hello_seen_) return finish(classify_preamble("the stream ended before the hello", false));
    if (decoder_.buffered() > 0) {
      return finish(link_error(keeper_link_failure::interrupted,
                               "the stream ended inside a keeper frame (" +
                                   std::to_string(decoder_.buffered()) + " bytes held)"));
    }
    finish(std::nullopt);
  }

  void on_hello_timeout() {
    // Runs on the timer's strand: only touch what is safe across threads.
    auto expected = hello_phase::waiting;
    if (phase_.compare_exchange_strong(expected, hello_phase::timed_out)) close_stream();
  }

  /// Names what came instead of a hello: Docker's refusal, other text, or nothing.
  /// `refused` is set when the decoder gave up on text without a hello.
  keeper_link_error classify_preamble(const std::string& why, bool refused) {
    std::string_view text = preamble_text_;
    if (text.find(reused_exec_text) != std::string_view::npos) {
      return link_error(keeper_link_failure::exec_already_used, quote(text));
    }
    std::string message = why;
    if (!text.empty()) message += "; stdout: \"" + quote(text) + "\"";
    if (!stderr_text_.empty()) message += "; stderr: \"" + quote(stderr_text_) + "\"";
    // Text without a hello within the decoder's limit is some other program; a stream that
    // simply ended is a bridge that could not reach the keeper (or is not there at all).
    return link_error(
        refused ? keeper_link_failure::not_a_keeper : keeper_link_failure::keeper_unreachable,
        std::move(message));
  }

  keeper_link_error link_error(keeper_link_failure failure, std::string message) const {
    return keeper_link_error{failure, "exec " + exec_id_.substr(0, 12) + ": " + message, {}};
  }

  /// Ends the link on a failure this side detected; the stream's own close is then ignored.
  void fail(keeper_link_error failure) {
    close_stream();
    finish(std::move(failure));
  }

  /// Reports the end once; the caller holds callback_mutex_.
  void finish(std::optional<keeper_link_error> failure) {
    if (finished_) return;
    finished_ = true;
    auto waiting = hello_phase::waiting;
    phase_.compare_exchange_strong(waiting, hello_phase::ended);
    cancel_hello_timer();
    if (!detached_ && handlers_.on_closed) handlers_.on_closed(std::move(failure));
  }

  void cancel_hello_timer() {
    asio::post(timer_strand_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->hello_timer_.cancel();
    });
  }

  const std::string exec_id_;
  keeper_link_handlers handlers_;
  const keeper_link_options options_;

  // Guarded by stream_mutex_: the stream is stored after it may already have failed.
  mutable std::mutex stream_mutex_;
  std::optional<exec_stream> stream_;
  bool close_requested_ = false;

  // Held while user callbacks run, so the destructor can wait for one in flight. Recursive:
  // a callback may destroy its own link.
  std::recursive_mutex callback_mutex_;
  bool detached_ = false;

  // The timer lives on its own strand; the phase tells the stream's close why it happened.
  enum class hello_phase { waiting, greeted, timed_out, ended };
  asio::strand<asio::io_context::executor_type> timer_strand_;
  asio::steady_timer hello_timer_;
  std::atomic<hello_phase> phase_{hello_phase::waiting};

  // Stream strand only.
  keeper::frame_decoder decoder_{{.expect_hello = true}};
  bool hello_seen_ = false;
  bool finished_ = false;
  std::string preamble_text_;
  std::string stderr_text_;
};

tl::expected<keeper_link, keeper_link_error> keeper_link::open(client& docker, asio::io_context& io,
                                                               std::string_view container_id,
                                                               keeper_link_handlers handlers,
                                                               keeper_link_options options) {
  exec_spec spec;
  spec.cmd = {options.keeper_path, "attach"};
  spec.cmd.insert(spec.cmd.end(), options.attach_flags.begin(), options.attach_flags.end());
  spec.user = options.user;
  auto exec_id = docker.create_exec(container_id, spec);
  if (!exec_id) {
    return tl::unexpected(keeper_link_error{
        keeper_link_failure::docker, "create exec: " + describe(exec_id.error()), exec_id.error()});
  }
  return start(io, docker.host(), docker.version(), std::move(*exec_id), std::move(handlers),
               std::move(options));
}

keeper_link keeper_link::start(asio::io_context& io, const docker_host& host, api_version version,
                               std::string exec_id, keeper_link_handlers handlers,
                               keeper_link_options options) {
  auto shared =
      std::make_shared<state>(io, std::move(exec_id), std::move(handlers), std::move(options));
  shared->start(io, host, version);
  return keeper_link{std::move(shared)};
}

keeper_link::keeper_link(std::shared_ptr<state> shared) : state_(std::move(shared)) {}
keeper_link::keeper_link(keeper_link&&) noexcept = default;

keeper_link& keeper_link::operator=(keeper_link&& other) noexcept {
  if (this != &other) {
    if (state_) state_->detach();
    state_ = std::move(other.state_);
  }
  return *this;
}

keeper_link::~keeper_link() {
  if (state_) state_->detach();
}

void keeper_link::send(const keeper::message& message) {
  if (state_) state_->send(message);
}

void keeper_link::shutdown_send() {
  if (state_) state_->shutdown_send();
}

void keeper_link::close() {
  if (state_) state_->close_stream();
}

std::size_t keeper_link::queued_bytes() const {
  return state_ ? state_->queued_bytes() : 0;
}

void keeper_link::pause_reading() {
  if (state_) state_->pause_reading();
}

void keeper_link::resume_reading() {
  if (state_) state_->resume_reading();
}

const std::string& keeper_link::exec_id() const {
  static const std::string none;
  return state_ ? state_->exec_id() : none;
}

}  // namespace berth::docker
