#pragma once
// The keeper's unix socket: listening (serve) and connecting (attach).

#include <string>
#include <variant>

#include "docker/keeper/unique_fd.hpp"

namespace berth::keeper {

/// Listens on path (non-blocking, mode 0600), creating its directory with mode 0700 when missing
/// and replacing a stale socket left by a keeper that died; fails when a live keeper answers.
std::variant<unique_fd, std::string> listen_on(const std::string& path);

/// Connects to the keeper at path; the socket is returned blocking.
std::variant<unique_fd, std::string> connect_to(const std::string& path);

}  // namespace berth::keeper
