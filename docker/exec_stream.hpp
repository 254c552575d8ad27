#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "docker/api_version.hpp"
#include "docker/docker_host.hpp"
#include "docker/error.hpp"
#include "docker/multiplex_deframer.hpp"

// Beast and Asio stay in exec_stream.cpp: they are slow to compile.
namespace boost::asio {
class io_context;
}

namespace berth::docker {

/// How to attach to an exec.
struct exec_stream_options {
  bool tty = false;  ///< Must equal the exec's `Tty`: without a TTY the output is multiplexed.
  std::chrono::milliseconds connect_timeout{5000};  ///< Connect plus the upgrade reply.
};

/// Callbacks of an exec stream, invoked on the stream's strand of the caller's io_context.
struct exec_stream_handlers {
  /// A piece of output; `bytes` is valid only during the call.
  std::function<void(stream_kind stream, std::string_view bytes)> on_output;
  /// Called exactly once: nothing after the daemon closed the stream cleanly, else the error.
  std::function<void(std::optional<error> failure)> on_closed;
};

/// The hijacked, full-duplex connection of a started exec (`POST /exec/{id}/start` upgraded
/// to a raw stream). Methods may be called from any thread; destroying it closes the stream.
/// The io_context must outlive the exec_stream.
class exec_stream {
 public:
  /// Starts the exec `exec_id` (created with `client::create_exec`) and attaches to it.
  /// Failures, including the connect timeout, arrive through `on_closed`.
  static exec_stream open(boost::asio::io_context& io, const docker_host& host, api_version version,
                          std::string exec_id, exec_stream_options options,
                          exec_stream_handlers handlers);

  exec_stream(exec_stream&&) noexcept;
  exec_stream& operator=(exec_stream&&) noexcept;
  ~exec_stream();

  /// Queues bytes for the exec's stdin; sent in order, one write in flight at a time.
  void write(std::string bytes);
  /// Half-closes after the queued bytes are sent: the exec reads EOF on stdin.
  void shutdown_send();
  /// Tears the connection down now; `on_closed` reports `cancelled` unless already closed.
  void close();
  /// Bytes accepted by `write` and not yet handed to the socket, for back-pressure.
  std::size_t queued_bytes() const;
  /// Stops issuing reads, for back-pressure on the output: a read already in flight still
  /// completes and its output is delivered. While paused the end of the stream goes unnoticed
  /// (`close` still works). Idempotent.
  void pause_reading();
  /// Reads again after `pause_reading`, unless the stream has ended or a read is pending.
  /// Idempotent.
  void resume_reading();

  class session;

 private:
  explicit exec_stream(std::shared_ptr<session> state);
  std::shared_ptr<session> session_;
};

}  // namespace berth::docker
