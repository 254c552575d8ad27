#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::docker {

/// One object of the `GET /events` stream.
struct event {
  std::string type;    ///< "container", "volume", "image", "network", ...
  std::string action;  ///< "start", "die", "oom", "destroy", "exec_start: sh", ...
  std::string actor_id;
  std::map<std::string, std::string> attributes;  ///< name, image, exitCode and all labels.
  std::int64_t time_nano = 0;                     ///< Nanoseconds since the Unix epoch.
};

/// Which events to receive; each list is OR-ed within itself and AND-ed with the others.
struct event_filter {
  std::vector<std::string> types;    ///< e.g. "container".
  std::vector<std::string> actions;  ///< e.g. "die", "oom".
  std::vector<std::string> labels;   ///< "key" or "key=value".
  std::vector<std::string> containers;
  std::optional<std::string> since;  ///< "<unix seconds>[.<nanos>]": replays history first.
  std::optional<std::string> until;  ///< Ends the stream at that time.
};

}  // namespace berth::docker
