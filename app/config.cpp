#include "app/config.hpp"

#include "auth/digest.hpp"
#include "auth/encoding.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace berth::app {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

const config_key* find_flag(const std::string& flag) {
  for (const auto& key : config_keys()) {
    if (flag == key.flag) return &key;
  }
  return nullptr;
}

tl::expected<void, std::string> load_file(const std::string& path, config& values) {
  std::ifstream file(path);
  if (!file) return tl::unexpected("cannot read config file " + path);
  std::string line;
  int number = 0;
  while (std::getline(file, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find('=');
    const auto* key =
        equals == std::string::npos ? nullptr : find_flag("--" + trim(line.substr(0, equals)));
    if (!key) {
      return tl::unexpected(path + ":" + std::to_string(number) +
                            ": expected `key = value` with a known key");
    }
    values.*(key->member) = trim(line.substr(equals + 1));
  }
  return {};
}

}  // namespace

const std::vector<config_key>& config_keys() {
  static const std::vector<config_key> keys{
      {"--listen", "BERTH_LISTEN", "address to serve HTTP on, host:port (default 127.0.0.1:8080)",
       &config::listen},
      {"--database-url", "BERTH_DATABASE_URL",
       "PostgreSQL URL, e.g. postgresql://user:pass@127.0.0.1:5432/berth (also DATABASE_URL)",
       &config::database_url},
      {"--data-dir", "BERTH_DATA_DIR",
       "folder for secrets and generated keys (default .local/data, git-ignored)",
       &config::data_dir},
      {"--log-level", "BERTH_LOG_LEVEL", "trace, debug, info, warn or error (default info)",
       &config::log_level},
      {"--config", "BERTH_CONFIG", "file of `key = value` lines using the flag names without --",
       &config::config_file},
      {"--keeper-binary", "BERTH_KEEPER_BINARY",
       "keeper executable copied into workspace containers (default docker/keeper/keeper "
       "next to the berth executable)",
       &config::keeper_binary},
      {"--workspace-image", "BERTH_WORKSPACE_IMAGE",
       "image of the built-in `default` template (scripts/build-image prints it)",
       &config::workspace_image},
      {"--instance", "BERTH_INSTANCE",
       "name of this server's containers (label berth.instance); start-up reconciliation "
       "removes orphans of this instance only (default: derived from the database URL)",
       &config::instance},
      {"--idle-sweep-seconds", "BERTH_IDLE_SWEEP_SECONDS",
       "seconds between checks for idle workspaces to stop (default 30)",
       &config::idle_sweep_seconds},
      {"--session-grace", "BERTH_SESSION_GRACE",
       "how long a terminal session with no client attached lives while the server runs: "
       "600, 90s, 10m, 1h (default 10m)",
       &config::session_grace},
      {"--session-record-input", "BERTH_SESSION_RECORD_INPUT",
       "record typed input in session streams: true or false (default true)",
       &config::session_record_input},
      {"--session-replay-limit", "BERTH_SESSION_REPLAY_LIMIT",
       "bytes of output a reconnecting client may replay; from further back it gets a screen "
       "snapshot (default 8388608)",
       &config::session_replay_limit},
      {"--max-sessions-per-workspace", "BERTH_MAX_SESSIONS_PER_WORKSPACE",
       "open terminal sessions allowed per workspace (default 16)",
       &config::max_sessions_per_workspace},
      {"--max-sessions-per-user", "BERTH_MAX_SESSIONS_PER_USER",
       "open terminal sessions allowed per user (default 64)", &config::max_sessions_per_user},
      {"--max-terminals-per-session", "BERTH_MAX_TERMINALS_PER_SESSION",
       "terminal WebSockets attached to one session at once (default 8)",
       &config::max_terminals_per_session},
      {"--max-terminals-per-user", "BERTH_MAX_TERMINALS_PER_USER",
       "terminal WebSockets one user may hold open on this node (default 32)",
       &config::max_terminals_per_user},
      {"--max-downloads-per-user", "BERTH_MAX_DOWNLOADS_PER_USER",
       "workspace exports and recording downloads one user may run at once (default 2)",
       &config::max_downloads_per_user},
      {"--web-root", "BERTH_WEB_ROOT",
       "folder of the built browser UI, loaded into memory at start-up (default ../web/dist "
       "next to the berth executable; without it, pages answer 503)",
       &config::web_root},
      {"--metrics-token", "BERTH_METRICS_TOKEN",
       "when set, GET /metrics answers only `Authorization: Bearer <token>` (default: open, as "
       "Prometheus scrapes without credentials)",
       &config::metrics_token},
      {"--trusted-proxy", "BERTH_TRUSTED_PROXY",
       "comma-separated IP addresses of reverse proxies whose X-Forwarded-For (the client's "
       "address) and X-Forwarded-Proto (https: Secure cookies, HSTS) are believed and whose "
       "callers' traceparent is continued (default: none; the headers are ignored)",
       &config::trusted_proxy},
  };
  return keys;
}

tl::expected<loaded_config, std::string> load_config(const std::vector<std::string>& args) {
  loaded_config loaded;
  config from_environment;
  config from_flags;
  std::vector<const config_key*> set_by_environment, set_by_flag;
  if (const char* url = std::getenv("DATABASE_URL")) {
    from_environment.database_url = url;
    set_by_environment.push_back(find_flag("--database-url"));
  }
  for (const auto& key : config_keys()) {
    if (const char* value = std::getenv(key.environment)) {
      from_environment.*(key.member) = value;
      set_by_environment.push_back(&key);
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    const auto equals = arg.find('=');
    const auto* key = find_flag(arg.substr(0, equals));
    if (!key) {
      loaded.rest.push_back(arg);
      continue;
    }
    if (equals != std::string::npos) {
      from_flags.*(key->member) = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      from_flags.*(key->member) = args[++i];
    } else {
      return tl::unexpected(std::string(key->flag) + " needs a value");
    }
    set_by_flag.push_back(key);
  }
  auto& values = loaded.values;
  std::string file = values.config_file;
  for (const auto* key : set_by_environment) {
    if (key->member == &config::config_file) file = from_environment.config_file;
  }
  for (const auto* key : set_by_flag) {
    if (key->member == &config::config_file) file = from_flags.config_file;
  }
  if (!file.empty()) {
    if (auto read = load_file(file, values); !read) return tl::unexpected(read.error());
  }
  for (const auto* key : set_by_environment)
    values.*(key->member) = from_environment.*(key->member);
  for (const auto* key : set_by_flag)
    values.*(key->member) = from_flags.*(key->member);
  if (values.keeper_binary.empty()) values.keeper_binary = default_keeper_binary();
  if (values.instance.empty()) values.instance = default_instance(values.database_url);
  if (values.web_root.empty()) values.web_root = default_web_root();
  return loaded;
}

std::string default_keeper_binary() {
  std::error_code failed;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", failed);
  if (failed) return {};
  return (executable.parent_path() / "docker" / "keeper" / "keeper").string();
}

std::string default_web_root() {
  std::error_code failed;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", failed);
  if (failed) return {};
  return (executable.parent_path().parent_path() / "web" / "dist").lexically_normal().string();
}

std::string default_instance(const std::string& database_url) {
  std::string where = database_url;
  if (const auto scheme = where.find("://"); scheme != std::string::npos) {
    where.erase(0, scheme + 3);
  }
  if (const auto at = where.rfind('@', where.find('/')); at != std::string::npos) {
    where.erase(0, at + 1);
  }
  if (const auto query = where.find('?'); query != std::string::npos) where.erase(query);
  return "db-" + auth::hex_encode(auth::sha256(where)).substr(0, 12);
}

std::string config_help() {
  std::ostringstream out;
  out << "Configuration (flag, environment variable; flags win over environment over file):\n";
  for (const auto& key : config_keys()) {
    out << "  " << key.flag << " VALUE, " << key.environment << "\n      " << key.help << "\n";
  }
  return out.str();
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && digits < 12 && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0) return std::nullopt;
  const auto number = std::stoll(std::string(text.substr(0, digits)));
  const auto unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit.empty() || unit == "s") return std::chrono::seconds(number);
  if (unit == "m") return std::chrono::minutes(number);
  if (unit == "h") return std::chrono::hours(number);
  return std::nullopt;
}

}  // namespace berth::app
