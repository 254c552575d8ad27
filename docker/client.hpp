#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "docker/api_version.hpp"
#include "docker/body_stream.hpp"
#include "docker/containers.hpp"
#include "docker/docker_host.hpp"
#include "docker/error.hpp"
#include "docker/events.hpp"
#include "docker/exec.hpp"
#include "docker/images.hpp"
#include "docker/volumes.hpp"

namespace berth::docker {

class curl_transport;
struct http_reply;
struct http_request;

/// Connection settings of a client; every call is bounded by these deadlines.
struct client_options {
  std::string docker_host;  ///< Empty: `DOCKER_HOST`, else unix:///var/run/docker.sock.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  ///< Total time of an ordinary call.
  std::chrono::seconds transfer_idle_timeout{60};    ///< Streamed bodies: max time without bytes.
};

/// Receives each event of `watch_events`; returning false ends the stream.
using event_handler = std::function<bool(const event&)>;

/// A blocking Docker Engine API client over one libcurl handle: use one client per thread.
class client {
 public:
  /// Connects, reads `/_ping` and `/version`, and settles on API min(1.41, daemon's).
  static tl::expected<client, error> connect(client_options options = {});

  client(client&&) noexcept;
  client& operator=(client&&) noexcept;
  ~client();

  /// The daemon address this client talks to.
  const docker_host& host() const { return host_; }
  /// The negotiated Engine API version (the `/v1.41` path prefix).
  api_version version() const { return version_; }
  /// The daemon's own version string, e.g. "20.10.24+dfsg1".
  const std::string& daemon_version() const { return daemon_version_; }

  /// Inspects an image by name, tag or id.
  tl::expected<image_info, error> inspect_image(std::string_view name);
  /// Whether an image with this name or tag exists locally.
  tl::expected<bool, error> image_exists(std::string_view name);
  /// Imports a root filesystem tar read from `tar` as a single-layer image; returns its id.
  tl::expected<std::string, error> import_image(const image_import& target, body_source tar);

  /// Removes an image by name, tag or id; `conflict` while a container uses it.
  tl::expected<void, error> remove_image(std::string_view name, bool force = false);

  /// Creates a container; returns its id.
  tl::expected<std::string, error> create_container(const container_spec& spec);
  /// Starts a container; `already_done` when it was running.
  tl::expected<transition, error> start_container(std::string_view id);
  /// Stops with SIGTERM, then SIGKILL after `grace`; `already_done` when it was stopped.
  tl::expected<transition, error> stop_container(std::string_view id, std::chrono::seconds grace);
  /// Sends a signal such as "SIGKILL" or "SIGTERM"; `conflict` when it is not running.
  tl::expected<void, error> kill_container(std::string_view id,
                                           std::string_view signal = "SIGKILL");
  /// Freezes all processes of a running container.
  tl::expected<void, error> pause_container(std::string_view id);
  /// Thaws a paused container.
  tl::expected<void, error> unpause_container(std::string_view id);
  /// Removes a container; `conflict` when it runs and `force` is off.
  tl::expected<void, error> remove_container(std::string_view id, remove_options options = {});
  /// Inspects a container's configuration and state.
  tl::expected<container_info, error> inspect_container(std::string_view id);
  /// Lists containers (also stopped ones) having all the given labels ("key" or "key=value").
  tl::expected<std::vector<container_summary>, error> list_containers(
      const std::vector<std::string>& labels);
  /// Blocks until the container is not running, at most `limit`; returns its exit code.
  tl::expected<int, error> wait_container(std::string_view id, std::chrono::milliseconds limit);

  /// Creates a named volume (an existing one with that name is returned as it is).
  tl::expected<volume_info, error> create_volume(const volume_spec& spec);
  /// Inspects a named volume.
  tl::expected<volume_info, error> inspect_volume(std::string_view name);
  /// Removes a named volume; `conflict` while a container uses it.
  tl::expected<void, error> remove_volume(std::string_view name, bool force = false);

  /// Extracts a tar read from `tar` into directory `path` of the container (must exist).
  tl::expected<void, error> upload_archive(std::string_view id, std::string_view path,
                                           body_source tar);
  /// Streams `path` of the container as a tar into `sink`, never holding it whole.
  tl::expected<void, error> download_archive(std::string_view id, std::string_view path,
                                             body_sink sink);

  /// Creates an exec in a running container; start it with `exec_stream::open`.
  tl::expected<std::string, error> create_exec(std::string_view container_id,
                                               const exec_spec& spec);
  /// Resizes the TTY of an exec (a no-op for non-TTY execs on Docker 20.10).
  tl::expected<void, error> resize_exec(std::string_view exec_id, int rows, int columns);
  /// Inspects an exec: running, exit code, pid.
  tl::expected<exec_info, error> inspect_exec(std::string_view exec_id);

  /// Streams daemon events matching `filter` into `on_event` until the handler returns false,
  /// `stop` is requested (from any thread; both end with success) or the stream fails.
  tl::expected<void, error> watch_events(const event_filter& filter, const event_handler& on_event,
                                         std::stop_token stop);

 private:
  client(std::unique_ptr<curl_transport> transport, client_options options, docker_host host);

  tl::expected<http_reply, error> send_expecting(http_request request,
                                                 std::initializer_list<int> statuses);
  http_request make_request(std::string_view method, std::string_view path,
                            std::string body = {}) const;
  /// A request streaming a tar body: large, so bounded by stalls rather than total time.
  http_request make_tar_upload(std::string_view method, std::string_view path,
                               body_source tar) const;
  tl::expected<transition, error> change_state(std::string_view id, std::string_view action,
                                               std::string_view query,
                                               std::chrono::milliseconds extra_time);

  std::unique_ptr<curl_transport> transport_;
  client_options options_;
  docker_host host_;
  api_version version_ = required_api_version;
  std::string daemon_version_;
};

}  // namespace berth::docker
