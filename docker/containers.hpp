#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::docker {

/// A named volume (or bind) mounted into a container.
struct mount {
  std::string type = "volume";  ///< "volume", "bind" or "tmpfs".
  std::string source;           ///< Volume name or host path.
  std::string target;           ///< Absolute path inside the container.
  bool read_only = false;
};

/// Resource limits of a container; an empty field leaves the daemon's default.
struct resource_limits {
  std::optional<std::int64_t> memory_bytes;  ///< Memory; swap is set equal (no swap).
  std::optional<std::int64_t> nano_cpus;     ///< CPUs in units of 10^-9.
  std::optional<std::int64_t> pids_limit;    ///< Maximum number of processes.
  friend bool operator==(const resource_limits&, const resource_limits&) = default;
};

/// Everything Berth sets when creating a container (`POST /containers/create`).
struct container_spec {
  std::string name;  ///< Empty lets the daemon choose a name.
  std::string image;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  ///< "KEY=value" entries.
  std::string user;              ///< "uid:gid" or a name; empty for the image default.
  std::string working_dir;
  std::map<std::string, std::string> labels;
  resource_limits limits;
  bool no_new_privileges = true;
  std::vector<std::string> cap_drop;
  std::vector<std::string> cap_add;
  bool init = true;  ///< Run docker-init as PID 1 so signals are forwarded and zombies reaped.
  std::vector<mount> mounts;
  std::optional<int> stop_timeout_seconds;
};

/// Whether a lifecycle call changed the container or found it already in the wanted state (304).
enum class transition { changed, already_done };

/// The `State` of an inspected container.
struct container_state {
  std::string status;  ///< created, running, paused, restarting, removing, exited or dead.
  bool running = false;
  bool paused = false;
  bool restarting = false;
  bool oom_killed = false;
  bool dead = false;
  int pid = 0;
  int exit_code = 0;
  std::string error;
  std::string started_at;
  std::string finished_at;
};

/// The fields of `GET /containers/{id}/json` that Berth uses.
struct container_info {
  std::string id;
  std::string name;   ///< Without the leading '/'.
  std::string image;  ///< Image id (sha256:...).
  std::map<std::string, std::string> labels;
  container_state state;
  resource_limits limits;
  std::vector<std::string> security_options;
  std::vector<std::string> cap_drop;
  std::vector<std::string> cap_add;
  bool init = false;
  std::vector<mount> mounts;
  std::vector<std::string> exec_ids;
};

/// One entry of `GET /containers/json`.
struct container_summary {
  std::string id;
  std::vector<std::string> names;
  std::string image;
  std::string state;   ///< Same values as `container_state::status`.
  std::string status;  ///< Human text such as "Up 5 minutes".
  std::map<std::string, std::string> labels;
};

/// How to remove a container.
struct remove_options {
  bool force = false;    ///< Kill it first if it is running.
  bool volumes = false;  ///< Also remove anonymous volumes (named ones always survive).
};

}  // namespace berth::docker
