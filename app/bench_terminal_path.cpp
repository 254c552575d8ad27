// `berth bench terminal-path`: what the keeper costs on the way between Berth and a shell.
// Against one workspace container it measures a raw non-TTY `docker exec` (the floor) and the
// same traffic through `keeper attach` and a keeper session: echo round trips and bulk output.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <tl/expected.hpp>

#include "app/bench_stats.hpp"
#include "app/commands.hpp"
#include "docker/client.hpp"
#include "docker/exec_stream.hpp"
#include "docker/keeper_link.hpp"
#include "docker/workspace_container.hpp"

namespace berth::app {
namespace {

using clock_type = std::chrono::steady_clock;
using seconds_double = std::chrono::duration<double>;
using milliseconds_double = std::chrono::duration<double, std::milli>;

/// Longest any one phase may take before the benchmark gives up on it.
constexpr std::chrono::minutes phase_limit{5};
/// Round trips run before measuring, so connection set-up and page faults are not counted.
constexpr int warm_up_round_trips = 20;

struct bench_options {
  std::string image;
  int round_trips = 1000;
  std::size_t megabytes = 64;
};

/// Echo latencies and bulk throughput of one path.
struct path_result {
  std::vector<double> round_trip_ms;
  double mb_per_s = 0;
};

using phase_result = tl::expected<void, std::string>;

/// Runs io until the phase's streams are done; fails when `limit` passes first.
phase_result run_phase(boost::asio::io_context& io, const char* what) {
  io.restart();
  io.run_for(phase_limit);
  if (!io.stopped()) return tl::unexpected(std::string{what} + ": no result within 5 minutes");
  return {};
}

/// Counts echo round trips: send one byte, wait for it, repeat; records all but the warm-up.
class echo_counter {
 public:
  echo_counter(int round_trips, std::function<void()> send_byte)
      : wanted_(round_trips + warm_up_round_trips), send_byte_(std::move(send_byte)) {}

  void begin() {
    sent_at_ = clock_type::now();
    send_byte_();
  }

  /// Bytes came back; true when every round trip is done.
  bool on_echo(std::size_t bytes) {
    received_ += bytes;
    if (received_ < static_cast<std::size_t>(sent_)) return false;
    const auto now = clock_type::now();
    if (sent_ > warm_up_round_trips)
      samples_.push_back(milliseconds_double(now - sent_at_).count());
    if (sent_ == wanted_) return true;
    ++sent_;
    sent_at_ = now;
    send_byte_();
    return false;
  }

  std::vector<double>& samples() { return samples_; }

 private:
  int wanted_;
  std::function<void()> send_byte_;
  int sent_ = 1;
  std::size_t received_ = 0;
  clock_type::time_point sent_at_;
  std::vector<double> samples_;
};

/// Counts bulk bytes from the first one to the end.
class throughput_meter {
 public:
  void on_bytes(std::size_t count) {
    if (bytes_ == 0) first_ = clock_type::now();
    bytes_ += count;
    last_ = clock_type::now();
  }
  std::size_t bytes() const { return bytes_; }
  double mb_per_s() const {
    const double elapsed = seconds_double(last_ - first_).count();
    return elapsed > 0 ? static_cast<double>(bytes_) / 1e6 / elapsed : 0;
  }

 private:
  std::size_t bytes_ = 0;
  clock_type::time_point first_, last_;
};

tl::expected<std::string, std::string> create_exec(docker::client& docker,
                                                   const std::string& container,
                                                   std::vector<std::string> cmd) {
  docker::exec_spec spec;
  spec.cmd = std::move(cmd);
  auto id = docker.create_exec(container, spec);
  if (!id) return tl::unexpected("create exec: " + docker::describe(id.error()));
  return *id;
}

/// Raw bulk output: `head` streams zeros through an exec, with or without a TTY (a terminal's
/// output always crosses a PTY, which costs by itself: `tty` measures that floor).
tl::expected<double, std::string> measure_raw_bulk(docker::client& docker,
                                                   boost::asio::io_context& io,
                                                   const std::string& container,
                                                   const bench_options& options, bool tty) {
  docker::exec_spec spec;
  spec.cmd = {"head", "-c", std::to_string(options.megabytes) + "M", "/dev/zero"};
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
  if (meter.bytes() != options.megabytes << 20) {
    return tl::unexpected("raw bulk: received " + std::to_string(meter.bytes()) + " bytes");
  }
  return meter.mb_per_s();
}

/// Raw path: `cat` in a non-TTY exec echoes each byte; `head` streams zeros.
tl::expected<path_result, std::string> measure_raw(docker::client& docker,
                                                   boost::asio::io_context& io,
                                                   const std::string& container,
                                                   const bench_options& options) {
  path_result result;
  std::optional<std::string> failure;
  const auto record_failure = [&](std::optional<docker::error> error) {
    if (error) failure = docker::describe(*error);
  };
  {
    auto exec_id = create_exec(docker, container, {"cat"});
    if (!exec_id) return tl::unexpected(exec_id.error());
    docker::exec_stream* stream = nullptr;
    echo_counter echo{options.round_trips, [&] { stream->write("x"); }};
    auto opened = docker::exec_stream::open(io, docker.host(), docker.version(), *exec_id, {},
                                            {.on_output =
                                                 [&](docker::stream_kind, std::string_view bytes) {
                                                   if (echo.on_echo(bytes.size()))
                                                     stream->shutdown_send();
                                                 },
                                             .on_closed = record_failure});
    stream = &opened;
    echo.begin();
    if (auto ran = run_phase(io, "raw echo"); !ran) return tl::unexpected(ran.error());
    if (failure) return tl::unexpected("raw echo: " + *failure);
    result.round_trip_ms = std::move(echo.samples());
  }
  auto bulk = measure_raw_bulk(docker, io, container, options, false);
  if (!bulk) return tl::unexpected(bulk.error());
  result.mb_per_s = *bulk;
  return result;
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
         .on_diagnostic = {}});
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

/// Keeper path: a raw-mode `cat` in a session echoes each byte; `head` streams zeros.
tl::expected<path_result, std::string> measure_keeper(docker::client& docker,
                                                      boost::asio::io_context& io,
                                                      const std::string& container,
                                                      const bench_options& options) {
  path_result result;
  {
    // Raw mode and no echo, so each byte comes back once and unchanged; READY marks the switch.
    keeper::open_request request{
        "bench-echo", 80, 24, "", {}, {"sh", "-c", "stty raw -echo && printf READY && exec cat"}};
    keeper_session_run* run = nullptr;
    echo_counter echo{options.round_trips, [&] { run->send_input("x"); }};
    std::string preamble;
    bool ready = false;
    keeper_session_run session{docker, io, container, std::move(request),
                               [&](std::string_view data) {
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
    result.round_trip_ms = std::move(echo.samples());
  }
  {
    keeper::open_request request{
        "bench-bulk", 80, 24,
        "",           {}, {"head", "-c", std::to_string(options.megabytes) + "M", "/dev/zero"}};
    throughput_meter meter;
    keeper_session_run session{docker, io, container, std::move(request),
                               [&](std::string_view data) { meter.on_bytes(data.size()); }};
    if (auto ran = run_phase(io, "keeper bulk"); !ran) return tl::unexpected(ran.error());
    if (session.failure()) return tl::unexpected("keeper bulk: " + *session.failure());
    // Zeros pass a terminal unchanged, so the session's output is exactly head's.
    if (!session.exit() || meter.bytes() != options.megabytes << 20) {
      return tl::unexpected("keeper bulk: received " + std::to_string(meter.bytes()) + " bytes");
    }
    result.mb_per_s = meter.mb_per_s();
  }
  return result;
}

/// Waits until the keeper in a just-started container answers a link with its hello.
phase_result wait_for_keeper(docker::client& docker, boost::asio::io_context& io,
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
                                   .on_diagnostic = {}});
    if (!opened) return tl::unexpected(docker::describe(opened.error()));
    link.emplace(std::move(*opened));
    if (auto ran = run_phase(io, "keeper hello"); !ran) return ran;
    if (greeted) return {};
  }
  return tl::unexpected("the keeper did not answer within 30 s: " + last_failure);
}

boost::json::object summary(const path_result& result) {
  return {{"p50_ms", percentile(result.round_trip_ms, 0.50)},
          {"p99_ms", percentile(result.round_trip_ms, 0.99)},
          {"mb_per_s", result.mb_per_s}};
}

std::optional<bench_options> parse_options(const std::vector<std::string>& args) {
  bench_options options;
  if (const char* image = std::getenv("BERTH_WORKSPACE_IMAGE")) options.image = image;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    try {
      if (args[i] == "--image" && has_value) {
        options.image = args[++i];
      } else if (args[i] == "--round-trips" && has_value) {
        options.round_trips = std::stoi(args[++i]);
      } else if (args[i] == "--megabytes" && has_value) {
        options.megabytes = std::stoul(args[++i]);
      } else {
        std::cerr << "berth bench terminal-path: unknown argument " << args[i]
                  << " (flags: --image IMAGE, --round-trips N, --megabytes N)\n";
        return std::nullopt;
      }
    } catch (const std::exception&) {
      std::cerr << "berth bench terminal-path: " << args[i] << " needs a number\n";
      return std::nullopt;
    }
  }
  if (options.round_trips < 1 || options.megabytes < 1) {
    std::cerr << "berth bench terminal-path: --round-trips and --megabytes must be positive\n";
    return std::nullopt;
  }
  if (options.image.empty()) {
    std::cerr << "berth bench terminal-path: set --image or BERTH_WORKSPACE_IMAGE "
                 "(e.g. $(scripts/build-image | tail -1))\n";
    return std::nullopt;
  }
  return options;
}

/// Creates and starts the benchmark's workspace, runs both paths, and returns the JSON.
tl::expected<boost::json::object, std::string> run_in_workspace(
    docker::client& docker, const docker::workspace_container_spec& workspace,
    const docker::keeper_binary& keeper, const bench_options& options) {
  auto container = docker::create_workspace_container(docker, workspace, keeper);
  if (!container) return tl::unexpected("create workspace: " + docker::describe(container.error()));
  if (auto started = docker.start_container(*container); !started) {
    return tl::unexpected("start workspace: " + docker::describe(started.error()));
  }
  boost::asio::io_context io;
  if (auto ready = wait_for_keeper(docker, io, *container); !ready) {
    return tl::unexpected(ready.error());
  }
  std::cerr << "bench: raw docker exec, " << options.round_trips << " echo round trips and "
            << options.megabytes << " MiB of output...\n";
  auto raw = measure_raw(docker, io, *container, options);
  if (!raw) return tl::unexpected(raw.error());
  std::cerr << "bench: keeper attach, the same...\n";
  auto kept = measure_keeper(docker, io, *container, options);
  if (!kept) return tl::unexpected(kept.error());
  std::cerr << "bench: raw docker exec with a TTY, " << options.megabytes << " MiB of output...\n";
  auto raw_tty = measure_raw_bulk(docker, io, *container, options, true);
  if (!raw_tty) return tl::unexpected(raw_tty.error());
  auto raw_summary = summary(*raw);
  auto keeper_summary = summary(*kept);
  const auto ratio = [](double keeper_value, double raw_value) {
    return raw_value > 0 ? keeper_value / raw_value : 0;
  };
  boost::json::object ratios{
      {"p99", ratio(percentile(kept->round_trip_ms, 0.99), percentile(raw->round_trip_ms, 0.99))},
      {"throughput", ratio(kept->mb_per_s, raw->mb_per_s)},
      {"throughput_vs_raw_tty", ratio(kept->mb_per_s, *raw_tty)}};
  return boost::json::object{{"raw", std::move(raw_summary)},
                             {"raw_tty", {{"mb_per_s", *raw_tty}}},
                             {"keeper", std::move(keeper_summary)},
                             {"ratios", ratios}};
}

}  // namespace

int run_bench_terminal_path(const config& cfg, const std::vector<std::string>& args) {
  auto options = parse_options(args);
  if (!options) return exit_usage;
  auto keeper = docker::load_keeper_binary(cfg.keeper_binary);
  if (!keeper) {
    std::cerr << "berth bench terminal-path: " << keeper.error()
              << " (set --keeper-binary or BERTH_KEEPER_BINARY)\n";
    return exit_usage;
  }
  auto docker = docker::client::connect();
  if (!docker) {
    std::cerr << "berth bench terminal-path: " << docker::describe(docker.error()) << "\n";
    return exit_failure;
  }
  docker::workspace_container_spec workspace;
  workspace.workspace_id = "bench-" + std::to_string(::getpid()) + "-" +
                           std::to_string(clock_type::now().time_since_epoch().count() % 1000000);
  workspace.owner_id = "bench";
  workspace.image = options->image;
  workspace.extra_labels["berth.bench"] = "1";
  std::cerr << "bench: workspace container "
            << docker::workspace_resource_name(workspace.workspace_id) << " on " << options->image
            << "...\n";
  auto output = run_in_workspace(*docker, workspace, *keeper, *options);
  // Whatever happened, the container and its volume go.
  const auto name = docker::workspace_resource_name(workspace.workspace_id);
  if (auto removed = docker->remove_container(name, {.force = true, .volumes = true});
      !removed && removed.error().code != docker::error_code::not_found) {
    std::cerr << "bench: could not remove container " << name << ": "
              << docker::describe(removed.error()) << "\n";
  }
  if (auto removed = docker->remove_volume(name, true);
      !removed && removed.error().code != docker::error_code::not_found) {
    std::cerr << "bench: could not remove volume " << name << ": "
              << docker::describe(removed.error()) << "\n";
  }
  if (!output) {
    std::cerr << "berth bench terminal-path: " << output.error() << "\n";
    return exit_failure;
  }
  std::cout << boost::json::serialize(*output) << std::endl;
  return exit_ok;
}

}  // namespace berth::app
