#include "docker/json_read.hpp"

#include <simdjson.h>

namespace berth::docker {
namespace {

namespace dom = simdjson::dom;

// One parser per thread: it keeps its buffers between replies, and a client is single-threaded.
dom::parser& thread_parser() {
  thread_local dom::parser parser;
  return parser;
}

error unreadable(std::string_view what, simdjson::error_code code) {
  return error{error_code::protocol, 0,
               "unreadable " + std::string{what} + ": " + simdjson::error_message(code)};
}

tl::expected<dom::object, error> parse_object(std::string_view body, std::string_view what) {
  dom::object object;
  if (auto code = thread_parser().parse(body.data(), body.size()).get(object)) {
    return tl::unexpected(unreadable(what, code));
  }
  return object;
}

// Absent sections are passed around as an empty optional, so lookups need no null checks.
using maybe_object = std::optional<dom::object>;

std::optional<dom::element> field(maybe_object object, std::string_view key) {
  dom::element value;
  if (!object) return std::nullopt;
  if ((*object)[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

std::string get_string(maybe_object object, std::string_view key) {
  auto value = field(object, key);
  std::string_view text;
  if (!value || value->get(text) != simdjson::SUCCESS) return {};
  return std::string{text};
}

std::int64_t get_int(maybe_object object, std::string_view key) {
  auto value = field(object, key);
  if (!value) return 0;
  std::int64_t number = 0;
  if (value->get(number) == simdjson::SUCCESS) return number;
  std::uint64_t big = 0;
  if (value->get(big) == simdjson::SUCCESS) return static_cast<std::int64_t>(big);
  return 0;
}

std::optional<std::int64_t> get_optional_int(maybe_object object, std::string_view key) {
  auto value = field(object, key);
  std::int64_t number = 0;
  if (!value || value->get(number) != simdjson::SUCCESS) return std::nullopt;
  return number;
}

bool get_bool(maybe_object object, std::string_view key) {
  auto value = field(object, key);
  bool flag = false;
  if (!value || value->get(flag) != simdjson::SUCCESS) return false;
  return flag;
}

maybe_object get_object(maybe_object object, std::string_view key) {
  auto value = field(object, key);
  dom::object inner;
  if (!value || value->get(inner) != simdjson::SUCCESS) return std::nullopt;
  return inner;
}

std::map<std::string, std::string> get_string_map(maybe_object object, std::string_view key) {
  std::map<std::string, std::string> result;
  auto value = field(object, key);
  dom::object map;
  if (!value || value->get(map) != simdjson::SUCCESS) return result;
  for (auto [name, entry] : map) {
    std::string_view text;
    if (entry.get(text) == simdjson::SUCCESS) result.emplace(name, text);
  }
  return result;
}

std::vector<std::string> get_string_array(maybe_object object, std::string_view key) {
  std::vector<std::string> result;
  auto value = field(object, key);
  dom::array array;
  if (!value || value->get(array) != simdjson::SUCCESS) return result;
  for (auto entry : array) {
    std::string_view text;
    if (entry.get(text) == simdjson::SUCCESS) result.emplace_back(text);
  }
  return result;
}

std::optional<std::int64_t> positive_or_none(std::optional<std::int64_t> value) {
  // The daemon reports "no limit" as 0, -1 or null depending on the field and version.
  if (!value || *value <= 0) return std::nullopt;
  return value;
}

// Inspect's `Mounts` names a volume in `Name` and the container path in `Destination`.
std::vector<mount> get_inspected_mounts(maybe_object object) {
  std::vector<mount> result;
  auto value = field(object, "Mounts");
  dom::array array;
  if (!value || value->get(array) != simdjson::SUCCESS) return result;
  for (auto entry : array) {
    dom::object item;
    if (entry.get(item) != simdjson::SUCCESS) continue;
    mount parsed;
    parsed.type = get_string(item, "Type");
    parsed.source = get_string(item, parsed.type == "volume" ? "Name" : "Source");
    parsed.target = get_string(item, "Destination");
    parsed.read_only = !get_bool(item, "RW");
    result.push_back(std::move(parsed));
  }
  return result;
}

}  // namespace

std::optional<std::string> parse_error_message(std::string_view body) {
  auto object = parse_object(body, "error reply");
  if (!object) return std::nullopt;
  auto value = field(*object, "message");
  std::string_view text;
  if (!value || value->get(text) != simdjson::SUCCESS) return std::nullopt;
  return std::string{text};
}

tl::expected<daemon_version, error> parse_daemon_version(std::string_view body) {
  auto object = parse_object(body, "version reply");
  if (!object) return tl::unexpected(object.error());
  daemon_version result{get_string(*object, "Version"), get_string(*object, "ApiVersion"),
                        get_string(*object, "MinAPIVersion")};
  if (result.api_version.empty()) {
    return tl::unexpected(error{error_code::protocol, 0, "version reply has no ApiVersion"});
  }
  return result;
}

tl::expected<std::string, error> parse_created_id(std::string_view body) {
  auto object = parse_object(body, "create reply");
  if (!object) return tl::unexpected(object.error());
  auto id = get_string(*object, "Id");
  if (id.empty()) return tl::unexpected(error{error_code::protocol, 0, "create reply has no Id"});
  return id;
}

tl::expected<container_info, error> parse_container_info(std::string_view body) {
  auto object = parse_object(body, "container inspect reply");
  if (!object) return tl::unexpected(object.error());
  container_info info;
  info.id = get_string(*object, "Id");
  info.name = get_string(*object, "Name");
  if (info.name.starts_with('/')) info.name.erase(0, 1);
  info.image = get_string(*object, "Image");
  info.exec_ids = get_string_array(*object, "ExecIDs");
  info.labels = get_string_map(get_object(*object, "Config"), "Labels");
  auto state = get_object(*object, "State");
  info.state.status = get_string(state, "Status");
  info.state.running = get_bool(state, "Running");
  info.state.paused = get_bool(state, "Paused");
  info.state.restarting = get_bool(state, "Restarting");
  info.state.oom_killed = get_bool(state, "OOMKilled");
  info.state.dead = get_bool(state, "Dead");
  info.state.pid = static_cast<int>(get_int(state, "Pid"));
  info.state.exit_code = static_cast<int>(get_int(state, "ExitCode"));
  info.state.error = get_string(state, "Error");
  info.state.started_at = get_string(state, "StartedAt");
  info.state.finished_at = get_string(state, "FinishedAt");
  auto host_config = get_object(*object, "HostConfig");
  info.limits.memory_bytes = positive_or_none(get_optional_int(host_config, "Memory"));
  info.limits.nano_cpus = positive_or_none(get_optional_int(host_config, "NanoCpus"));
  info.limits.pids_limit = positive_or_none(get_optional_int(host_config, "PidsLimit"));
  info.security_options = get_string_array(host_config, "SecurityOpt");
  info.cap_drop = get_string_array(host_config, "CapDrop");
  info.cap_add = get_string_array(host_config, "CapAdd");
  info.init = get_bool(host_config, "Init");
  info.mounts = get_inspected_mounts(*object);
  if (info.id.empty() || info.state.status.empty()) {
    return tl::unexpected(error{error_code::protocol, 0, "container inspect reply lacks Id/State"});
  }
  return info;
}

tl::expected<std::vector<container_summary>, error> parse_container_list(std::string_view body) {
  dom::array array;
  if (auto code = thread_parser().parse(body.data(), body.size()).get(array)) {
    return tl::unexpected(unreadable("container list", code));
  }
  std::vector<container_summary> result;
  for (auto entry : array) {
    dom::object item;
    if (entry.get(item) != simdjson::SUCCESS) {
      return tl::unexpected(error{error_code::protocol, 0, "container list entry is no object"});
    }
    container_summary summary;
    summary.id = get_string(item, "Id");
    summary.names = get_string_array(item, "Names");
    summary.image = get_string(item, "Image");
    summary.state = get_string(item, "State");
    summary.status = get_string(item, "Status");
    summary.labels = get_string_map(item, "Labels");
    result.push_back(std::move(summary));
  }
  return result;
}

tl::expected<image_info, error> parse_image_info(std::string_view body) {
  auto object = parse_object(body, "image inspect reply");
  if (!object) return tl::unexpected(object.error());
  image_info info;
  info.id = get_string(*object, "Id");
  info.repo_tags = get_string_array(*object, "RepoTags");
  info.created = get_string(*object, "Created");
  info.size = get_int(*object, "Size");
  info.architecture = get_string(*object, "Architecture");
  info.os = get_string(*object, "Os");
  info.labels = get_string_map(get_object(*object, "Config"), "Labels");
  if (info.id.empty()) {
    return tl::unexpected(error{error_code::protocol, 0, "image inspect reply has no Id"});
  }
  return info;
}

tl::expected<std::string, error> parse_import_progress(std::string_view body) {
  std::string image_id;
  while (!body.empty()) {
    auto end = body.find('\n');
    auto line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    if (line.empty()) continue;
    auto object = parse_object(line, "import progress");
    if (!object) return tl::unexpected(object.error());
    auto failure = get_string(*object, "error");
    if (!failure.empty()) return tl::unexpected(error{error_code::bad_request, 200, failure});
    auto status = get_string(*object, "status");
    if (status.starts_with("sha256:")) image_id = status;
  }
  if (image_id.empty()) {
    return tl::unexpected(error{error_code::protocol, 200, "image import reported no image id"});
  }
  return image_id;
}

tl::expected<volume_info, error> parse_volume_info(std::string_view body) {
  auto object = parse_object(body, "volume reply");
  if (!object) return tl::unexpected(object.error());
  volume_info info;
  info.name = get_string(*object, "Name");
  info.driver = get_string(*object, "Driver");
  info.mountpoint = get_string(*object, "Mountpoint");
  info.created_at = get_string(*object, "CreatedAt");
  info.labels = get_string_map(*object, "Labels");
  if (info.name.empty()) {
    return tl::unexpected(error{error_code::protocol, 0, "volume reply has no Name"});
  }
  return info;
}

tl::expected<exec_info, error> parse_exec_info(std::string_view body) {
  auto object = parse_object(body, "exec inspect reply");
  if (!object) return tl::unexpected(object.error());
  exec_info info;
  info.id = get_string(*object, "ID");
  info.container_id = get_string(*object, "ContainerID");
  info.running = get_bool(*object, "Running");
  info.open_stdin = get_bool(*object, "OpenStdin");
  info.exit_code = static_cast<int>(get_int(*object, "ExitCode"));
  info.pid = static_cast<int>(get_int(*object, "Pid"));
  if (info.id.empty()) {
    return tl::unexpected(error{error_code::protocol, 0, "exec inspect reply has no ID"});
  }
  return info;
}

tl::expected<int, error> parse_wait_status(std::string_view body) {
  auto object = parse_object(body, "wait reply");
  if (!object) return tl::unexpected(object.error());
  auto failure = get_object(*object, "Error");
  auto message = get_string(failure, "Message");
  if (!message.empty()) return tl::unexpected(error{error_code::server_error, 200, message});
  if (!field(*object, "StatusCode")) {
    return tl::unexpected(error{error_code::protocol, 0, "wait reply has no StatusCode"});
  }
  return static_cast<int>(get_int(*object, "StatusCode"));
}

tl::expected<event, error> parse_event(std::string_view line) {
  auto object = parse_object(line, "event");
  if (!object) return tl::unexpected(object.error());
  event parsed;
  parsed.type = get_string(*object, "Type");
  parsed.action = get_string(*object, "Action");
  auto actor = get_object(*object, "Actor");
  parsed.actor_id = get_string(actor, "ID");
  parsed.attributes = get_string_map(actor, "Attributes");
  parsed.time_nano = get_int(*object, "timeNano");
  if (parsed.type.empty() || parsed.action.empty()) {
    return tl::unexpected(error{error_code::protocol, 0, "event lacks Type or Action"});
  }
  return parsed;
}

}  // namespace berth::docker
