#pragma once

// Parsers for the daemon's JSON replies (simdjson). Internal to berth_docker; each is a pure
// function of the reply body so it can be tested without a daemon.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "docker/containers.hpp"
#include "docker/error.hpp"
#include "docker/events.hpp"
#include "docker/exec.hpp"
#include "docker/images.hpp"
#include "docker/volumes.hpp"

namespace berth::docker {

/// The parts of `GET /version` needed for negotiation and diagnostics.
struct daemon_version {
  std::string version;      ///< e.g. "20.10.24+dfsg1".
  std::string api_version;  ///< e.g. "1.41".
  std::string min_api_version;
};

/// The `message` of an error body `{"message": "..."}`, if the body is such an object.
std::optional<std::string> parse_error_message(std::string_view body);

/// Parses `GET /version`.
tl::expected<daemon_version, error> parse_daemon_version(std::string_view body);

/// The `Id` of a `201 {"Id": ...}` reply (container create, exec create).
tl::expected<std::string, error> parse_created_id(std::string_view body);

/// Parses `GET /containers/{id}/json`.
tl::expected<container_info, error> parse_container_info(std::string_view body);

/// Parses `GET /containers/json`.
tl::expected<std::vector<container_summary>, error> parse_container_list(std::string_view body);

/// Parses `GET /images/{name}/json`.
tl::expected<image_info, error> parse_image_info(std::string_view body);

/// Parses the JSON-lines progress of `POST /images/create`: the imported image id, or the
/// error the daemon reported inside a 200 reply.
tl::expected<std::string, error> parse_import_progress(std::string_view body);

/// Parses `GET /volumes/{name}` and `POST /volumes/create`.
tl::expected<volume_info, error> parse_volume_info(std::string_view body);

/// Parses `GET /exec/{id}/json`.
tl::expected<exec_info, error> parse_exec_info(std::string_view body);

/// Parses the exit code of `POST /containers/{id}/wait`.
tl::expected<int, error> parse_wait_status(std::string_view body);

/// Parses one line of the `GET /events` stream.
tl::expected<event, error> parse_event(std::string_view line);

}  // namespace berth::docker
