// `berth audit verify | history | export-session`: what an auditor can check straight from the
// event log, without a running server. Read-only: nothing is migrated or appended.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <boost/json.hpp>

#include "app/commands.hpp"
#include "audit/audit_reader.hpp"
#include "audit/chain_verifier.hpp"
#include "audit/time_text.hpp"
#include "audit/workspace_history.hpp"
#include "events/event_store.hpp"
#include "events/uuid.hpp"

namespace berth::app {
namespace {

constexpr std::string_view usage =
    "usage: berth audit verify [--json]\n"
    "       berth audit history --workspace ID [--at TIME] [--json]\n"
    "       berth audit export-session SESSION --format asciicast-v2|asciicast-v3 "
    "[--output FILE] [--input]\n";

/// A subcommand's arguments: flags with a value, switches, and positional words.
struct arguments {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
  std::vector<std::string> words;
};

/// Splits `args`; nothing (after printing why) when a flag is unknown or lacks its value.
std::optional<arguments> parse_arguments(const std::vector<std::string>& args,
                                         std::initializer_list<std::string_view> with_value,
                                         std::initializer_list<std::string_view> switches) {
  const auto known = [](auto names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto name = args[i];
    if (name.rfind("--", 0) != 0) {
      parsed.words.push_back(name);
      continue;
    }
    std::optional<std::string> value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (known(switches, name) && !value) {
      parsed.switches.insert(name);
    } else if (known(with_value, name) && (value || i + 1 < args.size())) {
      parsed.values[name] = value ? *value : args[++i];
    } else {
      std::cerr << "berth audit: unexpected argument " << args[i] << "\n" << usage;
      return std::nullopt;
    }
  }
  return parsed;
}

int verify(events::event_store& store, const arguments& args) {
  auto verification = audit::verify_chains(store);
  if (!verification) {
    std::cerr << "berth audit verify: " << verification.error().message << "\n";
    return exit_failure;
  }
  if (args.switches.contains("--json")) {
    std::cout << boost::json::serialize(audit::verification_json(*verification)) << "\n";
    return verification->ok() ? exit_ok : exit_failure;
  }
  if (verification->ok()) {
    std::cout << "OK: " << verification->streams << " streams, " << verification->events
              << " events verified\n";
    return exit_ok;
  }
  for (const auto& link : verification->broken) {
    std::cout << "BROKEN " << link.stream_id << " at version " << link.version << ": "
              << link.reason << "\n";
  }
  const auto& first = verification->broken.front();
  std::cout << "FAILED: " << verification->broken.size() << " of " << verification->streams
            << " streams broken (" << verification->events << " events checked); first broken "
            << "link: stream " << first.stream_id << ", version " << first.version << " ("
            << first.reason << ")\n";
  return exit_failure;
}

void print_history(const audit::workspace_history& history) {
  std::cout << "workspace " << history.workspace_id << ": " << history.events.size() << " events\n";
  for (const auto& event : history.events) {
    std::cout << (event.in_state ? "  " : "+ ") << "v" << event.version << "  "
              << audit::format_time(event.recorded_at) << "  " << event.type << "  actor "
              << (event.actor.empty() ? "-" : event.actor) << "  trace "
              << event.trace_id.value_or("-") << "\n      " << event.data << "\n";
  }
  const auto& state = history.state;
  std::cout << "\nstate "
            << (history.at ? "at " + audit::format_time(*history.at) : std::string("now"))
            << " (folded from versions 1 to " << state.version << "):\n";
  if (state.version == 0) {
    std::cout << "  the workspace did not exist yet\n";
    return;
  }
  const auto line = [](std::string_view name, const auto& value) {
    std::cout << "  " << name << std::string(18 - name.size(), ' ') << value << "\n";
  };
  line("status", actors::to_string(state.status));
  line("name", state.name);
  line("owner", state.owner_id);
  line("template", state.template_id);
  line("image", state.image);
  line("starred", state.starred ? "yes" : "no");
  line("container", state.container_id.empty() ? "-" : state.container_id);
  line("volume", state.volume.empty() ? "-" : state.volume);
  line("last reason", state.last_reason.empty() ? "-" : state.last_reason);
  line("last error", state.last_error.empty() ? "-" : state.last_error);
  line("created",
       audit::format_time(audit::time_point(std::chrono::milliseconds(state.created_ms))));
  if (history.events.size() > static_cast<std::size_t>(state.version)) {
    std::cout << "(lines marked + were recorded after that time)\n";
  }
}

int history(events::event_store& store, const arguments& args) {
  if (!args.words.empty() || !args.values.contains("--workspace")) {
    std::cerr << usage;
    return exit_usage;
  }
  const auto& workspace_id = args.values.at("--workspace");
  std::optional<audit::time_point> at;
  if (const auto found = args.values.find("--at"); found != args.values.end()) {
    auto parsed = audit::parse_time(found->second);
    if (!parsed) {
      std::cerr << "berth audit history: --at " << found->second << ": " << parsed.error() << "\n";
      return exit_usage;
    }
    at = *parsed;
  }
  std::optional<audit::workspace_history> found;
  // Only ids Berth could have made name a stream.
  if (events::is_uuid(workspace_id)) {
    auto read = audit::read_workspace_history(store, workspace_id, at);
    if (!read) {
      std::cerr << "berth audit history: " << read.error().message << "\n";
      return exit_failure;
    }
    found = std::move(*read);
  }
  if (!found) {
    std::cerr << "berth audit history: no workspace " << workspace_id << " in the event log\n";
    return exit_failure;
  }
  if (args.switches.contains("--json")) {
    std::cout << boost::json::serialize(audit::history_json(*found)) << "\n";
  } else {
    print_history(*found);
  }
  return exit_ok;
}

int export_session(const config& cfg, events::event_store& store, const arguments& args) {
  const auto format = args.values.find("--format");
  if (args.words.size() != 1 || format == args.values.end() ||
      (format->second != "asciicast-v2" && format->second != "asciicast-v3")) {
    std::cerr << usage;
    return exit_usage;
  }
  const auto& session_id = args.words[0];
  audit::audit_reader reader(cfg.database_url, store);
  std::optional<audit::session_origin> origin;
  if (events::is_uuid(session_id)) {
    auto read = reader.origin_of_session(session_id);
    if (!read) {
      std::cerr << "berth audit export-session: " << read.error().message << "\n";
      return exit_failure;
    }
    origin = std::move(*read);
  }
  if (!origin) {
    std::cerr << "berth audit export-session: no session " << session_id << " in the event log\n";
    return exit_failure;
  }
  audit::asciicast_options options;
  options.version = format->second == "asciicast-v3" ? audit::asciicast_version::v3
                                                     : audit::asciicast_version::v2;
  options.include_input = args.switches.contains("--input");
  options.title = origin->name.empty() ? "Berth session " + session_id : origin->name;

  const auto output = args.values.find("--output");
  std::ofstream file;
  if (output != args.values.end()) {
    file.open(output->second, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "berth audit export-session: cannot write " << output->second << "\n";
      return exit_failure;
    }
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  audit::asciicast_writer writer(options, [&out](std::string_view piece) {
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    return static_cast<bool>(out);
  });
  auto written = reader.write_recording(session_id, writer);
  out.flush();
  if (!written || !*written || !out) {
    std::cerr << "berth audit export-session: "
              << (!written ? written.error().message : std::string("cannot write the output"))
              << "\n";
    if (file.is_open()) {
      file.close();
      std::error_code ignored;  // a half-written file must not pass for a recording
      std::filesystem::remove(output->second, ignored);
    }
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace

int run_audit(const config& cfg, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << usage;
    return exit_usage;
  }
  const auto& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  std::optional<arguments> parsed;
  if (command == "verify") {
    parsed = parse_arguments(rest, {}, {"--json"});
    if (parsed && !parsed->words.empty()) {
      std::cerr << usage;
      return exit_usage;
    }
  } else if (command == "history") {
    parsed = parse_arguments(rest, {"--workspace", "--at"}, {"--json"});
  } else if (command == "export-session") {
    parsed = parse_arguments(rest, {"--format", "--output"}, {"--input"});
  } else {
    std::cerr << "berth audit: unknown command " << command << "\n" << usage;
    return exit_usage;
  }
  if (!parsed) return exit_usage;
  if (cfg.database_url.empty()) {
    std::cerr << "berth audit: set --database-url or BERTH_DATABASE_URL\n";
    return exit_usage;
  }
  events::event_store store({cfg.database_url, 1, 1});
  if (command == "verify") return verify(store, *parsed);
  if (command == "history") return history(store, *parsed);
  return export_session(cfg, store, *parsed);
}

}  // namespace berth::app
