#pragma once

// Request bodies and query values written with Boost.JSON. Internal to berth_docker.

#include <map>
#include <string>
#include <vector>

#include "docker/containers.hpp"
#include "docker/events.hpp"
#include "docker/exec.hpp"
#include "docker/volumes.hpp"

namespace berth::docker {

/// Body of `POST /containers/create`.
std::string container_create_body(const container_spec& spec);

/// Body of `POST /containers/{id}/exec`.
std::string exec_create_body(const exec_spec& spec);

/// Body of `POST /volumes/create`.
std::string volume_create_body(const volume_spec& spec);

/// The `filters` query value (a JSON map of string lists) before URL encoding.
std::string filters_json(const std::map<std::string, std::vector<std::string>>& filters);

/// The `filters` of `GET /events` for an event filter.
std::string event_filters_json(const event_filter& filter);

}  // namespace berth::docker
