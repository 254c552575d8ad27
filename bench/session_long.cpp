#include "bench/session_long.hpp"

#include <chrono>
#include <iostream>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "bench/terminal_path_probes.hpp"
#include "testing/async_terminal_client.hpp"

namespace berth::bench {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;
using milliseconds_double = std::chrono::duration<double, std::milli>;

/// Limit on printing the output, and on the recovery.
constexpr std::chrono::minutes deadline{30};

/// Types `typed` (nothing when empty) into the session, reads until `done`, and returns the
/// output offset its client reached.
probe_result<std::int64_t> drive(sessions_bench_run& run, const session_ref& ref,
                                 bulk_reader* reader) {
  net::io_context io;
  std::string ended;
  bool attached = false;
  std::shared_ptr<testing::async_terminal_client> client;
  client = testing::async_terminal_client::start(
      io, run.port, ref.ws_target(0), run.token,
      {.on_attached =
           [&](std::int64_t) {
             attached = true;
             if (reader) client->send_input(reader->typed());
           },
       .on_status = {},
       .on_output =
           [&](std::int64_t, std::string_view bytes) {
             if (reader) reader->on_output(bytes);
           },
       .on_closed = [&](const std::string& why) { ended = why.empty() ? "closed" : why; }});
  const bool finished = run_until(
      io, [&] { return (attached && (!reader || reader->done())) || !ended.empty(); }, deadline);
  const auto end = client->received_end();
  client->close();
  run_until(
      io, [&] { return !ended.empty(); }, std::chrono::seconds(10));
  if (!attached || (reader && !reader->done()))
    return tl::unexpected("long recovery: " + (finished ? ended : std::string("timed out")));
  return end;
}

/// What the restart's recoveries fed their screens, by where each started (`keyframe` or
/// `start`), from the server's metrics; -1 when the page cannot be read.
std::int64_t fed_bytes(sessions_bench_run& run, const std::string& from) {
  const std::string series = "berth_session_recovery_fed_bytes_total{from=\"" + from + "\"} ";
  try {
    const auto [status, page] = run.http()->call(boost::beast::http::verb::get, "/metrics");
    if (status != 200) return -1;
    std::istringstream in(page);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with(series)) return std::llround(std::stod(line.substr(series.size())));
    return 0;
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

probe_result<json::object> measure_long_recovery(sessions_bench_run& run, std::size_t megabytes) {
  auto refs = open_sessions(run, 2, 100'000);
  if (!refs) return tl::unexpected(refs.error());
  const auto& long_ref = refs->at(0);
  const auto& empty_ref = refs->at(1);
  std::cerr << "bench: long recovery: printing " << megabytes << " MiB in one session...\n";
  const auto command = text_command(megabytes);
  bulk_reader reader(command.argv.back());
  auto long_end = drive(run, long_ref, &reader);
  if (!long_end) return tl::unexpected(long_end.error());
  auto empty_end = drive(run, empty_ref, nullptr);
  if (!empty_end) return tl::unexpected(empty_end.error());

  std::cerr << "bench: long recovery: kill -9 the server...\n";
  run.server->kill_hard();
  run.server.reset();
  const auto restarted_at = clock_type::now();
  if (auto started = start_server(run, "127.0.0.1:" + std::to_string(run.port)); !started)
    return tl::unexpected(started.error());
  const auto listening_ms = milliseconds_double(clock_type::now() - restarted_at).count();
  net::io_context io;
  auto long_probe = std::make_shared<recovery_probe>(io, run.port, run.token, long_ref, *long_end);
  auto empty_probe =
      std::make_shared<recovery_probe>(io, run.port, run.token, empty_ref, *empty_end);
  long_probe->start();
  empty_probe->start();
  const bool both = run_until(
      io, [&] { return long_probe->answered() && empty_probe->answered(); }, deadline);
  long_probe->stop();
  empty_probe->stop();
  run_until(
      io, [&] { return long_probe->finished() && empty_probe->finished(); },
      std::chrono::seconds(10));
  if (!both) {
    return tl::unexpected("long recovery: no answer after the restart: " +
                          long_probe->last_failure() + empty_probe->last_failure());
  }
  const auto long_ms = milliseconds_double(long_probe->answered_at() - restarted_at).count();
  const auto empty_ms = milliseconds_double(empty_probe->answered_at() - restarted_at).count();
  std::cerr << "bench: long recovery: listening after " << listening_ms << " ms; the " << megabytes
            << " MiB session answered after " << long_ms << " ms, the empty one after " << empty_ms
            << " ms\n";
  const auto fed_from_keyframe = fed_bytes(run, "keyframe");
  const auto fed_from_start = fed_bytes(run, "start");
  if (auto closed = close_sessions(run, *refs); !closed) return tl::unexpected(closed.error());
  return json::object{{"megabytes", megabytes},
                      {"recorded_bytes", *long_end},
                      {"listening_ms", std::lround(listening_ms)},
                      {"long_ms", std::lround(long_ms)},
                      {"empty_ms", std::lround(empty_ms)},
                      {"ratio", std::round(long_ms / std::max(empty_ms, 1.0) * 100) / 100},
                      {"fed_bytes_from_keyframe", fed_from_keyframe},
                      {"fed_bytes_from_start", fed_from_start}};
}

}  // namespace berth::bench
