#include "docker/json_write.hpp"

#include <boost/json.hpp>

namespace berth::docker {
namespace {

namespace json = boost::json;

json::array string_array(const std::vector<std::string>& values) {
  json::array array;
  for (const auto& value : values)
    array.emplace_back(value);
  return array;
}

json::object string_map(const std::map<std::string, std::string>& values) {
  json::object object;
  for (const auto& [key, value] : values)
    object[key] = value;
  return object;
}

json::object host_config(const container_spec& spec) {
  json::object host;
  host["Init"] = spec.init;
  if (spec.limits.memory_bytes) {
    host["Memory"] = *spec.limits.memory_bytes;
    // Equal memory and memory+swap means the container gets no swap.
    host["MemorySwap"] = *spec.limits.memory_bytes;
  }
  if (spec.limits.nano_cpus) host["NanoCpus"] = *spec.limits.nano_cpus;
  if (spec.limits.pids_limit) host["PidsLimit"] = *spec.limits.pids_limit;
  if (spec.no_new_privileges) host["SecurityOpt"] = json::array{"no-new-privileges"};
  if (!spec.cap_drop.empty()) host["CapDrop"] = string_array(spec.cap_drop);
  if (!spec.cap_add.empty()) host["CapAdd"] = string_array(spec.cap_add);
  json::array mounts;
  for (const auto& item : spec.mounts) {
    mounts.push_back(json::object{{"Type", item.type},
                                  {"Source", item.source},
                                  {"Target", item.target},
                                  {"ReadOnly", item.read_only}});
  }
  if (!mounts.empty()) host["Mounts"] = std::move(mounts);
  host["RestartPolicy"] = json::object{{"Name", "no"}};
  // Bounded logs: a chatty main process must not fill the daemon's disk.
  host["LogConfig"] = json::object{
      {"Type", "json-file"}, {"Config", json::object{{"max-size", "10m"}, {"max-file", "2"}}}};
  return host;
}

}  // namespace

std::string container_create_body(const container_spec& spec) {
  json::object body;
  body["Image"] = spec.image;
  if (!spec.cmd.empty()) body["Cmd"] = string_array(spec.cmd);
  if (!spec.env.empty()) body["Env"] = string_array(spec.env);
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  body["Labels"] = string_map(spec.labels);
  if (spec.stop_timeout_seconds) body["StopTimeout"] = *spec.stop_timeout_seconds;
  body["HostConfig"] = host_config(spec);
  return json::serialize(body);
}

std::string exec_create_body(const exec_spec& spec) {
  json::object body;
  body["AttachStdin"] = spec.attach_stdin;
  body["AttachStdout"] = spec.attach_stdout;
  body["AttachStderr"] = spec.attach_stderr;
  body["Tty"] = spec.tty;
  body["Cmd"] = string_array(spec.cmd);
  if (!spec.env.empty()) body["Env"] = string_array(spec.env);
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  return json::serialize(body);
}

std::string volume_create_body(const volume_spec& spec) {
  json::object body;
  body["Name"] = spec.name;
  body["Driver"] = spec.driver;
  body["Labels"] = string_map(spec.labels);
  return json::serialize(body);
}

std::string filters_json(const std::map<std::string, std::vector<std::string>>& filters) {
  json::object object;
  for (const auto& [key, values] : filters) {
    if (!values.empty()) object[key] = string_array(values);
  }
  return json::serialize(object);
}

std::string event_filters_json(const event_filter& filter) {
  return filters_json({{"type", filter.types},
                       {"event", filter.actions},
                       {"label", filter.labels},
                       {"container", filter.containers}});
}

}  // namespace berth::docker
