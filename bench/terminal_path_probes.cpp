#include "bench/terminal_path_probes.hpp"

#include <optional>
#include <string_view>
#include <variant>

#include "docker/exec_stream.hpp"
#include "docker/keeper_link.hpp"

namespace berth::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using seconds_double = std::chrono::duration<double>;
using milliseconds_double = std::chrono::duration<double, std::milli>;

/// Longest any one phase may take before the benchmark gives up on it.
constexpr std::chrono::minutes phase_limit{5};

probe_result<std::string> create_exec(docker::client& docker, const std::string& container,
                                      std::vector<std::string> cmd) {
  docker::exec_spec spec;
  spec.cmd = std::move(cmd);
  auto id = docker.create_exec(container, spec);
  if (!id) return tl::unexpected("create exec: " + docker::describe(id.error()));
  return *id;
}

/// One keeper session read through a link, acking every output frame as it arrives.
class keeper_session_run {
 public:
  using output_handler = std::function<void(std::string_view data)>;

  keeper_session_run(docker::client& docker, boost::asio::io_context& io,
                     const std::string& container, keeper::open_request request,
                     output_handler on_output)
      : session_(request.session), on_output_(std::move(on_output)) {
    auto opened = docker::keeper_link::open(
        docker, io, container,
        {.on_message = [this](const keeper::message& message) { on_message(message); },
         .on_closed =
             [this](std::optional<docker::keeper_link_error> error) {
               if (error && error->failure != docker::keeper_link_failure::cancelled) {
                 failure_ = docker::describe(*error);
               }
             },
         .on_diagnostic = {},
         .should_pause = {}});
    if (!opened) {
      failure_ = docker::describe(opened.error());
      return;
    }
    link_.emplace(std::move(*opened));
    link_->send(std::move(request));
    link_->send(keeper::attach_request{session_, 0});
  }

  void send_input(std::string data) {
    link_->send(keeper::input_request{session_, std::move(data)});
  }
  /// Ends the session and then the link; once is enough.
  void finish() {
    if (finishing_) return;
    finishing_ = true;
    link_->send(keeper::close_request{session_});
  }
  const std::optional<std::string>& failure() const { return failure_; }
  const std::optional<keeper::exited_event>& exit() const { return exit_; }

 private:
  void on_message(const keeper::message& message) {
    if (const auto* output = std::get_if<keeper::output_event>(&message)) {
      link_->send(keeper::ack_request{session_, output->offset + output->data.size()});
      on_output_(output->data);
    } else if (const auto* exited = std::get_if<keeper::exited_event>(&message)) {
      exit_ = *exited;
      finish();
    } else if (const auto* error = std::get_if<keeper::error_reply>(&message)) {
      failure_ = "keeper: " + std::string{keeper::to_string(error->code)} + ": " + error->message;
      link_->close();
    } else if (std::holds_alternative<keeper::closed_reply>(message) && finishing_) {
      link_->shutdown_send();
    }
  }

  std::string session_;
  output_handler on_output_;
  std::optional<docker::keeper_link> link_;
  std::optional<std::string> failure_;
  std::optional<keeper::exited_event> exit_;
  bool finishing_ = false;
};

std::string megabytes_argument(std::size_t megabytes) {
  return std::to_string(megabytes) + "M";
}

}  // namespace

probe_result<void> run_phase(boost::asio::io_context& io, const char* what) {
  io.restart();
  io.run_for(phase_limit);
  if (!io.stopped()) return tl::unexpected(std::string{what} + ": no result within 5 minutes");
  return {};
}

echo_counter::echo_counter(boost::asio::io_context& io, int round_trips,
                           std::function<void()> send_byte, std::chrono::microseconds pause)
    : timer_(io),
      wanted_(round_trips + warm_up_round_trips),
      send_byte_(std::move(send_byte)),
      pause_(pause) {}

void echo_counter::begin() {
  sent_at_ = clock_type::now();
  send_byte_();
}

bool echo_counter::on_echo(std::size_t bytes) {
  received_ += bytes;
  if (received_ < static_cast<std::size_t>(sent_)) return false;
  const auto now = clock_type::now();
  if (sent_ > warm_up_round_trips) samples_.push_back(milliseconds_double(now - sent_at_).count());
  if (sent_ == wanted_) return true;
  ++sent_;
  const auto due = sent_at_ + pause_;
  if (now >= due) {
    send_next();
    return false;
  }
  timer_.expires_at(due);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) send_next();
  });
  return false;
}

void echo_counter::send_next() {
  sent_at_ = clock_type::now();
  send_byte_();
}

void throughput_meter::on_bytes(std::size_t count) {
  if (bytes_ == 0) first_ = clock_type::now();
  bytes_ += count;
  last_ = clock_type::now();
}

double throughput_meter::mb_per_s() const {
  const double elapsed = seconds_double(last_ - first_).count();
  return elapsed > 0 ? static_cast<double>(bytes_) / 1e6 / elapsed : 0;
}

bulk_command zeros_command(std::size_t megabytes) {
  return {{"head", "-c", megabytes_argument(megabytes), "/dev/zero"}, megabytes << 20};
}

bulk_command text_command(std::size_t megabytes) {
  return {{"sh", "-c", "head -c " + megabytes_argument(megabytes) + " /dev/zero | tr '\\0' x"},
          megabytes << 20};
}

probe_result<std::vector<double>> measure_raw_echo(docker::client& docker,
                                                   boost::asio::io_context& io,
                                                   const std::string& container, int round_trips,
                                                   std::chrono::microseconds pause) {
  auto exec_id = create_exec(docker, container, {"cat"});
  if (!exec_id) return tl::unexpected(exec_id.error());
  std::optional<std::string> failure;
  docker::exec_stream* stream = nullptr;
  echo_counter echo{io, round_trips, [&] { stream->write("x"); }, pause};
  auto opened = docker::exec_stream::open(io, docker.host(), docker.version(), *exec_id, {},
                                          {.on_output =
                                               [&](docker::stream_kind, std::string_view bytes) {
                                                 if (echo.on_echo(bytes.size()))
                                                   stream->shutdown_send();
                                               },
                                           .on_closed =
                                               [&](std::optional<docker::error> error) {
                                                 if (error) failure = docker::describe(*error);
                                               }});
  stream = &opened;
  echo.begin();
  if (auto ran = run_phase(io, "raw echo"); !ran) return tl::unexpected(ran.error());
  if (failure) return tl::unexpected("raw echo: " + *failure);
  return std::move(echo.samples());
}

probe_result<double> measure_raw_bulk(docker::client& docker, boost::asio::io_context& io,
                                      const std::string& container, const bulk_command& command,
                                      bool tty) {
  docker::exec_spec spec;
  spec.cmd = command.argv;
  spec.tty = tty;
  auto exec_id = docker.create_exec(container, spec);
  if (!exec_id) return tl::unexpected("create exec: " + docker::describe(exec_id.error()));
  std::optional<std::string> failure;
  throughput_meter meter;
  docker::exec_stream_options stream_options;
  stream_options.tty = tty;
  auto stream = docker::exec_stream::open(
      io, docker.host(), docker.version(), *exec_id, stream_options,
      {.on_output = [&](docker::stream_kind,
                        std::string_view bytes) { meter.on_bytes(bytes.size()); },
       .on_closed =
           [&](std::optional<docker::error> error) {
             if (error) failure = docker::describe(*error);
           }});
  if (!tty) stream.shutdown_send();
  if (auto ran = run_phase(io, "raw bulk"); !ran) return tl::unexpected(ran.error());
  if (failure) return tl::unexpected("raw bulk: " + *failure);
  if (meter.bytes() != command.bytes) {
    return tl::unexpected("raw bulk: received " + std::to_string(meter.bytes()) + " bytes");
  }
  return meter.mb_per_s();
}

probe_result<std::vector<double>> measure_keeper_echo(docker::client& docker,
                                                      boost::asio::io_context& io,
                                                      const std::string& container,
                                                      int round_trips) {
  // Raw mode and no echo, so each byte comes back once and unchanged; READY marks the switch.
  keeper::open_request request{
      "bench-echo", 80, 24, "", {}, {"sh", "-c", "stty raw -echo && printf READY && exec cat"}};
  keeper_session_run* run = nullptr;
  echo_counter echo{io, round_trips, [&] { run->send_input("x"); }};
  std::string preamble;
  bool ready = false;
  keeper_session_run session{docker, io, container, std::move(request), [&](std::string_view data) {
                               if (ready) {
                                 if (echo.on_echo(data.size())) run->finish();
                                 return;
                               }
                               preamble.append(data);
                               if (preamble.find("READY") == std::string::npos) return;
                               ready = true;
                               echo.begin();
                             }};
  run = &session;
  if (auto ran = run_phase(io, "keeper echo"); !ran) return tl::unexpected(ran.error());
  if (session.failure()) return tl::unexpected("keeper echo: " + *session.failure());
  return std::move(echo.samples());
}

probe_result<double> measure_keeper_bulk(docker::client& docker, boost::asio::io_context& io,
                                         const std::string& container, const bulk_command& command,
                                         const std::string& session_name) {
  keeper::open_request request{session_name, 80, 24, "", {}, command.argv};
  throughput_meter meter;
  keeper_session_run session{docker, io, container, std::move(request),
                             [&](std::string_view data) { meter.on_bytes(data.size()); }};
  if (auto ran = run_phase(io, "keeper bulk"); !ran) return tl::unexpected(ran.error());
  if (session.failure()) return tl::unexpected("keeper bulk: " + *session.failure());
  // Zeros and `x`s pass a terminal unchanged, so the session's output is exactly the command's.
  if (!session.exit() || meter.bytes() != command.bytes) {
    return tl::unexpected("keeper bulk: received " + std::to_string(meter.bytes()) + " bytes");
  }
  return meter.mb_per_s();
}

probe_result<void> wait_for_keeper(docker::client& docker, boost::asio::io_context& io,
                                   const std::string& container) {
  const auto until = clock_type::now() + std::chrono::seconds{30};
  std::string last_failure = "no attempt";
  while (clock_type::now() < until) {
    bool greeted = false;
    std::optional<docker::keeper_link> link;
    auto opened =
        docker::keeper_link::open(docker, io, container,
                                  {.on_message =
                                       [&](const keeper::message& message) {
                                         greeted = std::holds_alternative<keeper::hello>(message);
                                         link->close();
                                       },
                                   .on_closed =
                                       [&](std::optional<docker::keeper_link_error> error) {
                                         if (error && !greeted)
                                           last_failure = docker::describe(*error);
                                       },
                                   .on_diagnostic = {},
                                   .should_pause = {}});
    if (!opened) return tl::unexpected(docker::describe(opened.error()));
    link.emplace(std::move(*opened));
    if (auto ran = run_phase(io, "keeper hello"); !ran) return ran;
    if (greeted) return {};
  }
  return tl::unexpected("the keeper did not answer within 30 s: " + last_failure);
}

}  // namespace berth::bench
