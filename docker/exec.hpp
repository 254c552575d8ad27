#pragma once

#include <string>
#include <vector>

namespace berth::docker {

/// A process to run in a container with `POST /containers/{id}/exec`.
struct exec_spec {
  std::vector<std::string> cmd;
  std::vector<std::string> env;  ///< "KEY=value"; appears in `docker inspect`, not in events.
  std::string user;
  std::string working_dir;
  bool attach_stdin = true;
  bool attach_stdout = true;
  bool attach_stderr = true;
  bool tty = false;  ///< Without a TTY the output is multiplexed (see multiplex_deframer.hpp).
};

/// The fields of `GET /exec/{id}/json` that Berth uses.
struct exec_info {
  std::string id;
  std::string container_id;
  bool running = false;
  bool open_stdin = false;
  int exit_code = 0;  ///< Meaningful once `running` is false and the exec has started.
  int pid = 0;        ///< Host PID while running.
};

}  // namespace berth::docker
