#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace berth::app {

/// Berth's configuration, loaded once: defaults < config file < environment < flags.
struct config {
  std::string listen = "127.0.0.1:8080";
  std::string database_url;
  std::string data_dir = ".local/data";
  std::string log_level = "info";
  std::string config_file;
  /// Empty until loaded: load_config fills in `docker/keeper/keeper` next to this executable.
  std::string keeper_binary;
  /// Image of the built-in `default` template.
  std::string workspace_image = "berth-workspace:latest";
  /// Names this server's containers, so servers sharing a Docker daemon leave each other's
  /// alone; empty until loaded: load_config derives it from the database's host, port and name.
  std::string instance;
  /// Seconds between checks for idle workspaces to stop.
  std::string idle_sweep_seconds = "30";
  /// How long a terminal session with no client attached lives: `600`, `90s`, `10m`, `1h`.
  std::string session_grace = "10m";
  /// Whether typed input is recorded in session streams (`true`/`false`).
  std::string session_record_input = "true";
  /// Bytes of output a reconnecting client may ask to replay; from further back it gets a
  /// screen snapshot.
  std::string session_replay_limit = "8388608";
  /// Open sessions allowed per workspace and per user.
  std::string max_sessions_per_workspace = "16";
  std::string max_sessions_per_user = "64";
  /// Downloads (workspace exports, recordings) one user may run at once.
  std::string max_downloads_per_user = "2";
  std::string max_terminals_per_session = "8";
  std::string max_terminals_per_user = "32";
  /// Folder of the built browser UI; empty until loaded: load_config fills in `../web/dist`
  /// next to this executable (`build/berth` serves the repository's `web/dist`).
  std::string web_root;
  /// Bearer token that GET /metrics requires; empty: /metrics is open.
  std::string metrics_token;
  /// Comma-separated addresses of reverse proxies whose X-Forwarded-For and
  /// X-Forwarded-Proto are believed; empty: none.
  std::string trusted_proxy;
};

/// A duration like `600` (seconds), `250ms`, `90s`, `10m` or `1h`; nothing when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// One configuration key as `berth --help` lists it.
struct config_key {
  const char* flag;         ///< `--listen`
  const char* environment;  ///< `BERTH_LISTEN`
  const char* help;
  std::string config::*member;
};

/// Every key, in the order `--help` shows them.
const std::vector<config_key>& config_keys();

/// Loads the configuration from `environ`-style variables, an optional file and the flags in
/// `args` (which are consumed); unknown flags are returned untouched in `rest`.
struct loaded_config {
  config values;
  std::vector<std::string> rest;
};
tl::expected<loaded_config, std::string> load_config(const std::vector<std::string>& args);

/// `docker/keeper/keeper` in the folder of the running executable (/proc/self/exe), where
/// the build puts the keeper next to `berth`; empty when the executable cannot be found.
std::string default_keeper_binary();

/// `../web/dist` from the folder of the running executable, normalised; empty when the
/// executable cannot be found.
std::string default_web_root();

/// `db-<12 hex>`: a digest of the database URL's host, port and database name (credentials
/// and options left out), so every database gets its own containers.
std::string default_instance(const std::string& database_url);

/// The `--help` text for the configuration keys.
std::string config_help();

}  // namespace berth::app
