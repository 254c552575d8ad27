#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "accounts/accounts.hpp"
#include "accounts/server_secret.hpp"
#include "actors/session_service.hpp"
#include "actors/workspace_service.hpp"
#include "app/commands.hpp"
#include "app/master_key.hpp"
#include "app/serve_metrics.hpp"
#include "app/serve_tracing.hpp"
#include "audit/audit_reader.hpp"
#include "events/event_store.hpp"
#include "events/migrations.hpp"
#include "http/api.hpp"
#include "http/credential_watch.hpp"
#include "http/forwarded.hpp"
#include "http/health.hpp"
#include "http/observed_handler.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "projections/catalogue.hpp"
#include "projections/runner.hpp"
#include "telemetry/log.hpp"

namespace berth::app {
namespace {

using telemetry::level;

bool require_database_url(const config& cfg) {
  if (!cfg.database_url.empty()) return true;
  std::cerr << "berth: no database configured: set --database-url or BERTH_DATABASE_URL "
               "(eval \"$(scripts/services up)\" prints one)\n";
  return false;
}

bool apply_migrations(const config& cfg) {
  auto report = events::migrate(cfg.database_url);
  if (!report) {
    telemetry::log(level::error, "app.migrate", "migration failed",
                   {{"error_code", events::to_string(report.error().code)},
                    {"error", std::string_view(report.error().message)}});
    return false;
  }
  for (const auto& file : report->applied) {
    telemetry::log(level::info, "app.migrate", "migration applied",
                   {{"file", std::string_view(file)}});
  }
  telemetry::log(level::info, "app.migrate", "schema up to date",
                 {{"applied", static_cast<std::int64_t>(report->applied.size())},
                  {"already_applied", static_cast<std::int64_t>(report->already_applied)}});
  return true;
}

/// A read model's runner and its name.
struct named_runner {
  std::string name;
  std::unique_ptr<projections::projection_runner> runner;
};

/// Starts one runner per read model; they keep the `rm_*` tables following the log.
std::vector<named_runner> start_projections(events::event_store& store,
                                            const std::string& database_url) {
  std::vector<named_runner> runners;
  for (const auto& read_model : projections::all_projections()) {
    projections::projection_runner::options options;
    options.database_url = database_url;
    options.log = [name = read_model.name](projections::log_level severity,
                                           std::string_view message, std::string_view detail) {
      const auto mapped = severity == projections::log_level::error  ? level::error
                          : severity == projections::log_level::warn ? level::warn
                                                                     : level::debug;
      telemetry::log(mapped, "projections", message,
                     {{"projection", std::string_view(name)}, {"detail", detail}});
    };
    runners.push_back({read_model.name, std::make_unique<projections::projection_runner>(
                                            store, read_model, options)});
    runners.back().runner->start();
  }
  return runners;
}

http::response health_of(events::event_store& store, std::vector<named_runner>& runners) {
  http::database_health health;
  if (auto latency = store.ping()) {
    health.reachable = true;
    health.latency_ms = *latency;
  } else {
    health.error = std::string(events::to_string(latency.error().code));
  }
  std::vector<http::projection_health> lag;
  for (const auto& [name, runner] : runners) {
    http::projection_health entry{name, false, 0, 0};
    if (auto measured = runner->lag()) {
      entry = {name, true, measured->events_behind, measured->seconds_behind};
    }
    lag.push_back(entry);
  }
  return http::health_response(health, lag, BERTH_VERSION);
}

/// The browser UI from the web root; a missing root is not an error (the API works without
/// it), anything else that is wrong with it is.
tl::expected<http::static_files, std::string> load_web_ui(const std::string& web_root) {
  std::error_code ignored;
  if (web_root.empty() || !std::filesystem::exists(web_root, ignored)) {
    telemetry::log(level::warn, "app.serve",
                   "browser UI not built: pages answer 503 until ./run.sh builds web/dist",
                   {{"web_root", std::string_view(web_root)}});
    return http::static_files::missing();
  }
  auto loaded = http::static_files::load(web_root);
  if (!loaded) return loaded;
  telemetry::log(level::info, "app.serve", "browser UI loaded",
                 {{"web_root", std::string_view(web_root)},
                  {"files", static_cast<std::int64_t>(loaded->file_count())},
                  {"bytes", static_cast<std::int64_t>(loaded->total_bytes())}});
  return loaded;
}

}  // namespace

int run_migrate(const config& cfg) {
  if (!require_database_url(cfg)) return exit_usage;
  return apply_migrations(cfg) ? exit_ok : exit_failure;
}

/// Session settings from configuration, or what is wrong with them.
tl::expected<actors::session_options, std::string> session_options_of(
    const config& cfg, accounts::account_service& accounts) {
  actors::session_options options;
  options.database_url = cfg.database_url;
  const auto grace = parse_duration(cfg.session_grace);
  if (!grace) {
    return tl::unexpected(std::string("--session-grace needs a duration such as 600, 90s or 10m"));
  }
  options.grace = *grace;
  if (cfg.session_record_input != "true" && cfg.session_record_input != "false") {
    return tl::unexpected(std::string("--session-record-input is true or false"));
  }
  options.record_input = cfg.session_record_input == "true";
  try {
    options.replay_limit = std::stoll(cfg.session_replay_limit);
    options.max_per_workspace = std::stoi(cfg.max_sessions_per_workspace);
    options.max_per_user = std::stoi(cfg.max_sessions_per_user);
    options.max_clients_per_session = std::stoi(cfg.max_terminals_per_session);
  } catch (const std::exception&) {
    return tl::unexpected(std::string(
        "--session-replay-limit, --max-sessions-per-* and --max-terminals-* need numbers"));
  }
  if (options.replay_limit < 0 || options.max_per_workspace < 1 || options.max_per_user < 1 ||
      options.max_clients_per_session < 1) {
    return tl::unexpected(std::string("session limits must be positive"));
  }
  options.environment = [&accounts](const std::string& owner_id) {
    std::vector<std::string> environment;
    if (auto secrets = accounts.secret_environment(owner_id)) environment = std::move(*secrets);
    return environment;
  };
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) options.node = name;
  return options;
}

int run_serve(const config& cfg) {
  if (!require_database_url(cfg)) return exit_usage;
  auto proxies = http::trusted_proxies::parse(cfg.trusted_proxy);
  if (!proxies) {
    std::cerr << "berth: --trusted-proxy: " << proxies.error() << "\n";
    return exit_usage;
  }
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    std::cerr << "berth: cannot create data folder " << cfg.data_dir << ": " << ec.message()
              << "\n";
    return exit_failure;
  }
  std::filesystem::permissions(cfg.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const auto web_ui = load_web_ui(cfg.web_root);
  if (!web_ui) {
    std::cerr << "berth: " << web_ui.error() << "\n";
    return exit_failure;
  }
  if (!apply_migrations(cfg)) return exit_failure;
  // First in, last out: every service's spans are recorded until the exporter's final flush.
  const auto tracing = serve_tracing::start();
  auto jwt_secret = accounts::load_or_create_jwt_secret(cfg.data_dir);
  if (!jwt_secret) {
    telemetry::log(level::error, "app.serve", "no session signing secret",
                   {{"error", std::string_view(jwt_secret.error().message)}});
    return exit_failure;
  }
  auto master_key = load_master_key(cfg.data_dir);
  if (!master_key) {
    telemetry::log(level::error, "app.serve", "no master key",
                   {{"error", std::string_view(master_key.error())}});
    return exit_failure;
  }

  events::event_store store({cfg.database_url});
  auto runners = start_projections(store, cfg.database_url);
  accounts::account_service accounts(
      store, {cfg.database_url, *jwt_secret, std::move(*master_key), std::chrono::hours(12),
              auth::password_limits::interactive(), cfg.workspace_image});

  actors::workspace_runtime_options runtime;
  runtime.database_url = cfg.database_url;
  runtime.keeper_binary = cfg.keeper_binary;
  runtime.instance = cfg.instance;
  try {
    runtime.idle_sweep_interval =
        std::chrono::seconds(std::max(1, std::stoi(cfg.idle_sweep_seconds)));
  } catch (const std::exception&) {
    std::cerr << "berth: --idle-sweep-seconds needs a number\n";
    return exit_usage;
  }
  // The container's configuration gets the template's settings only. Secrets reach shells
  // through the keeper when a terminal opens (options.environment above), never
  // `Config.Env`: `docker inspect` would show them, and a deleted one would live on there
  // until the container is recreated. A secret still wins over a template default of the
  // same name, since the keeper lays the session's entries over its own environment.
  runtime.environment = [&accounts](const std::string&, const std::string& template_id) {
    std::vector<std::string> environment;
    if (auto chosen = accounts.get_template(template_id)) {
      for (const auto& [name, value] : chosen->env)
        environment.push_back(name + "=" + value);
    }
    return environment;
  };
  actors::workspace_service workspaces(store, runtime);
  projections::projection_runner* workspace_read_model = nullptr;
  for (auto& entry : runners) {
    if (entry.name == "workspaces") workspace_read_model = entry.runner.get();
  }
  workspaces.set_read_model_waiter([workspace_read_model](std::int64_t position) {
    // Bounded: a stalled projection makes a list stale, never a request hang.
    if (workspace_read_model) {
      workspace_read_model->wait_for_position(position, std::chrono::seconds(2));
    }
  });
  if (auto started = workspaces.start_background_work()) {
    telemetry::log(level::info, "app.serve", "workspace runtime started",
                   {{"detail", std::string_view(*started)}});
  } else {
    telemetry::log(level::error, "app.serve", "workspace runtime cannot start",
                   {{"error", std::string_view(started.error().message)}});
    return exit_failure;
  }

  auto session_settings = session_options_of(cfg, accounts);
  if (!session_settings) {
    std::cerr << "berth: " << session_settings.error() << "\n";
    return exit_usage;
  }
  actors::session_service sessions(store, workspaces, std::move(*session_settings));
  if (auto recovered = sessions.recover()) {
    telemetry::log(level::info, "app.serve", "terminal sessions recovering",
                   {{"sessions", static_cast<std::int64_t>(*recovered)}});
  } else {
    telemetry::log(level::error, "app.serve", "cannot list open terminal sessions",
                   {{"error", std::string_view(recovered.error().message)}});
    return exit_failure;
  }

  http::router routes;
  routes.add("GET", "/healthz",
             [&store, &runners](const http::request&, const http::route_params&) {
               return health_of(store, runners);
             });
  audit::audit_reader audit_trail(cfg.database_url, store);
  http::account_credential_source credential_source(accounts);
  http::credential_watch credential_watch(credential_source);
  http::download_limits downloads;
  try {
    downloads.per_user = static_cast<std::size_t>(std::stoul(cfg.max_downloads_per_user));
  } catch (const std::exception&) {
    std::cerr << "berth: --max-downloads-per-user needs a number\n";
    return exit_usage;
  }
  if (downloads.per_user == 0) {
    std::cerr << "berth: --max-downloads-per-user must be at least 1\n";
    return exit_usage;
  }
  std::size_t terminals_per_user = 0;
  try {
    terminals_per_user = static_cast<std::size_t>(std::stoul(cfg.max_terminals_per_user));
  } catch (const std::exception&) {
  }
  if (terminals_per_user == 0) {
    std::cerr << "berth: --max-terminals-per-user needs a number of at least 1\n";
    return exit_usage;
  }
  http::api_services services{accounts, &workspaces, &sessions};
  services.downloads = std::make_shared<http::download_gate>(downloads);
  services.terminals = std::make_shared<http::user_gate>(terminals_per_user);
  services.audit = &audit_trail;
  services.credentials = &credential_watch;
  http::add_account_routes(routes, services);
  http::add_admin_routes(routes, services);
  http::add_workspace_routes(routes, services);
  http::add_session_routes(routes, services);
  http::add_audit_routes(routes, services);
  http::add_trace_routes(routes, services);
  http::add_metrics_routes(routes, cfg.metrics_token);
  std::vector<std::pair<std::string, projections::projection_runner*>> measured;
  for (auto& entry : runners)
    measured.emplace_back(entry.name, entry.runner.get());
  const auto scraped = register_serve_metrics(cfg.database_url, std::move(measured));
  routes.set_fallback([&web_ui](const http::request& req, const http::route_params&) {
    return web_ui->serve(req);
  });

  http::server::options http_options;
  http_options.listen = cfg.listen;
  // A workspace command holds its worker while Docker works (seconds): enough workers that a
  // few slow starts never starve /healthz or the list.
  http_options.worker_threads = 16;
  http::server server(http_options, http::observed_handler(routes, std::move(*proxies)));
  auto port = server.start();
  if (!port) {
    telemetry::log(level::error, "app.serve", "cannot listen",
                   {{"error", std::string_view(port.error())}});
    return exit_failure;
  }
  telemetry::log(
      level::info, "app.serve", "serving",
      {{"listen", std::string_view(cfg.listen)}, {"port", static_cast<std::int64_t>(*port)}});
  credential_watch.start();
  server.run_until_signalled();
  credential_watch.stop();
  for (auto& entry : runners)
    entry.runner->stop();
  telemetry::log(level::info, "app.serve", "stopped");
  return exit_ok;
}

}  // namespace berth::app
