#pragma once

// Berth's side of one connection to a workspace's keeper: a non-TTY `docker exec` of
// `/opt/berth/keeper attach` whose stdin and stdout carry the keeper protocol
// (docs/keeper-protocol.md). Docker's own text in the stream is never mistaken for output.

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "docker/client.hpp"
#include "docker/error.hpp"
#include "docker/keeper/messages.hpp"

// Beast and Asio stay in keeper_link.cpp, as in exec_stream.hpp.
namespace boost::asio {
class io_context;
}

namespace berth::docker {

/// Why a keeper link failed or ended abnormally.
enum class keeper_link_failure {
  docker,                ///< Creating or streaming the exec failed; `docker` holds the error.
  exec_already_used,     ///< Docker wrote "Error: Exec command ... already running/has run".
  keeper_unreachable,    ///< The stream ended before a hello, e.g. `keeper attach` found no keeper.
  not_a_keeper,          ///< The stream carried text but no hello within the allowed preamble.
  incompatible_version,  ///< The hello names a protocol version Berth does not speak.
  hello_timeout,         ///< No hello arrived within `keeper_link_options::hello_timeout`.
  protocol,              ///< A frame after the hello could not be decoded or parsed.
  interrupted,           ///< The stream ended inside a keeper frame (e.g. the bridge was killed).
  cancelled,             ///< The caller closed the link.
};

/// A failed keeper link: the category, a message for logs, and the Docker error if any.
struct keeper_link_error {
  keeper_link_failure failure = keeper_link_failure::protocol;
  std::string message;
  std::optional<error> docker;
};

/// Stable lower-case name of a failure, e.g. "exec_already_used".
std::string_view to_string(keeper_link_failure failure);

/// Writes the failure's name, so test output shows "not_a_keeper", not a number.
std::ostream& operator<<(std::ostream& out, keeper_link_failure failure);

/// One-line description for logs: "keeper_unreachable: ... (stderr: ...)".
std::string describe(const keeper_link_error& failure);

/// How to reach the keeper.
struct keeper_link_options {
  std::string keeper_path{"/opt/berth/keeper"};
  std::vector<std::string> attach_flags;  ///< After `attach`, e.g. {"--socket", "/run/k.sock"}.
  std::string user;  ///< Exec user; empty runs as the container's user (the keeper's).
  std::chrono::milliseconds connect_timeout{5000};  ///< Docker connect plus upgrade reply.
  /// From the start to the keeper's hello, connect and upgrade included; the bridge only
  /// connects to a local socket, so a healthy keeper answers well within this.
  std::chrono::milliseconds hello_timeout{15000};
};

/// Callbacks of a link, invoked on the exec stream's strand of the caller's io_context.
struct keeper_link_handlers {
  /// Every message from the keeper; the first is always its hello, already validated.
  std::function<void(const keeper::message& message)> on_message;
  /// Called exactly once: nothing after a clean end of the stream, else why it failed.
  std::function<void(std::optional<keeper_link_error> failure)> on_closed;
  /// Text `keeper attach` (or Docker) wrote to stderr; optional, for logs.
  std::function<void(std::string_view text)> on_diagnostic;
  /// Asked after the messages of each read were delivered; true pauses reading (as
  /// `pause_reading`) until `resume_reading`. Optional: back-pressure decided where the
  /// messages arrive, before a receiver's queue grows (a flooding keeper is read no faster
  /// than its receiver takes the messages).
  std::function<bool()> should_pause;
};

/// A live link to a keeper through one exec. Methods may be called from any thread; destroying
/// the link closes the exec stream and no callback runs once the destructor has returned.
/// The io_context must outlive the link.
class keeper_link {
 public:
  /// Creates an exec of `keeper attach` in the running container and starts it. Creation
  /// errors are returned; later failures arrive through `on_closed`. Blocks on `docker`.
  static tl::expected<keeper_link, keeper_link_error> open(client& docker,
                                                           boost::asio::io_context& io,
                                                           std::string_view container_id,
                                                           keeper_link_handlers handlers,
                                                           keeper_link_options options = {});

  /// Starts and attaches to an exec created elsewhere (it must run `keeper attach`).
  static keeper_link start(boost::asio::io_context& io, const docker_host& host,
                           api_version version, std::string exec_id, keeper_link_handlers handlers,
                           keeper_link_options options = {});

  keeper_link(keeper_link&&) noexcept;
  keeper_link& operator=(keeper_link&&) noexcept;
  ~keeper_link();

  /// Queues a request for the keeper; requests may be sent before the hello arrives.
  void send(const keeper::message& message);
  /// Ends the exec's stdin after the queued requests: `keeper attach` then exits cleanly.
  void shutdown_send();
  /// Tears the stream down now; `on_closed` reports `cancelled` unless already closed.
  void close();
  /// Encoded request bytes not yet handed to the socket, for back-pressure.
  std::size_t queued_bytes() const;
  /// Stops reading the exec stream (`exec_stream::pause_reading`), for back-pressure on the
  /// keeper's output. Not immediate: messages from a read already in flight, including frames
  /// it completes in the decoder, are still delivered. While paused the end of the stream goes
  /// unnoticed and the hello timeout keeps running. Idempotent.
  void pause_reading();
  /// Reads again after `pause_reading`; idempotent.
  void resume_reading();
  /// The exec's id, e.g. for `client::inspect_exec`.
  const std::string& exec_id() const;

  class state;

 private:
  explicit keeper_link(std::shared_ptr<state> shared);
  std::shared_ptr<state> state_;
};

}  // namespace berth::docker
