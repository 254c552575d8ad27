#include "bench/session_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <thread>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include "docker/workspace_container.hpp"

namespace berth::bench {
namespace {

namespace json = boost::json;
using verb = boost::beast::http::verb;

/// Sessions opened at once over HTTP.
constexpr int opening_threads = 4;

}  // namespace

std::unique_ptr<http_client> sessions_bench_run::http() const {
  auto client = std::make_unique<http_client>(port);
  client->set_bearer_token(token);
  return client;
}

std::string sessions_bench_run::container(std::size_t workspace) const {
  return docker::workspace_resource_name(workspace_ids.at(workspace));
}

probe_result<void> start_server(sessions_bench_run& run, const std::string& listen) {
  const auto limit = std::to_string(std::max(run.options.concurrent, run.options.recovery) + 16);
  const auto log = run.data_dir / ("serve-" + std::to_string(++run.server_starts) + ".log");
  std::map<std::string, std::string> environment = {
      {"BERTH_DATABASE_URL", run.database_url},
      {"BERTH_INSTANCE", "bench-sessions-" + std::to_string(getpid())},
      {"BERTH_LOG_LEVEL", "info"},
      {"BERTH_WORKSPACE_IMAGE", run.cfg.workspace_image},
      {"BERTH_KEEPER_BINARY", run.cfg.keeper_binary},
      {"BERTH_MAX_SESSIONS_PER_WORKSPACE", limit},
      {"BERTH_MAX_SESSIONS_PER_USER", limit},
      // The probes attach every session at once, as one user.
      {"BERTH_MAX_TERMINALS_PER_USER", limit}};
  environment.insert(run.telemetry_environment.begin(), run.telemetry_environment.end());
  run.server.emplace(testing::server_process::options{.data_dir = run.data_dir.string(),
                                                      .listen = listen,
                                                      .environment = std::move(environment),
                                                      .log_path = log.string()});
  if (run.server->port() == 0) {
    run.server.reset();
    return tl::unexpected("the server did not start; see " + log.string());
  }
  run.port = run.server->port();
  return {};
}

probe_result<void> log_in(sessions_bench_run& run, const std::string& username,
                          const std::string& password) {
  http_client http(run.port);
  auto [status, body] =
      http.call(verb::post, "/api/auth/login",
                json::serialize(
                    json::object{{"username", username}, {"password", password}, {"token", true}}));
  if (status != 200)
    return tl::unexpected("login answered " + std::to_string(status) + ": " + body);
  run.token = std::string(json::parse(body).at("token").as_string());
  return {};
}

probe_result<void> create_workspaces(sessions_bench_run& run, int count) {
  auto http = run.http();
  for (int w = 0; w < count; ++w) {
    auto [status, body] = http->call(
        verb::post, "/api/workspaces",
        json::serialize(json::object{{"name", "bench " + std::to_string(w)}, {"start", true}}));
    if (status != 201) {
      return tl::unexpected("creating a workspace answered " + std::to_string(status) + ": " +
                            body);
    }
    run.workspace_ids.emplace_back(json::parse(body).at("id").as_string());
  }
  return {};
}

probe_result<std::vector<session_ref>> open_sessions(sessions_bench_run& run, int count,
                                                     int first) {
  std::vector<session_ref> refs(static_cast<std::size_t>(count));
  std::mutex failure_mutex;
  std::string failure;
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min(opening_threads, count); ++t) {
    threads.emplace_back([&, t] {
      try {
        auto http = run.http();
        for (int i = t; i < count; i += opening_threads) {
          const auto& workspace =
              run.workspace_ids[static_cast<std::size_t>(first + i) % run.workspace_ids.size()];
          auto [status, body] = http->call(verb::post, "/api/workspaces/" + workspace + "/sessions",
                                           R"({"cols":80,"rows":24})");
          if (status != 201) {
            std::lock_guard lock(failure_mutex);
            failure = "opening a session answered " + std::to_string(status) + ": " + body;
            return;
          }
          refs[static_cast<std::size_t>(i)] = {workspace,
                                               std::string(json::parse(body).at("id").as_string())};
        }
      } catch (const std::exception& problem) {
        std::lock_guard lock(failure_mutex);
        failure = std::string("opening sessions: ") + problem.what();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  if (!failure.empty()) return tl::unexpected(failure);
  return refs;
}

probe_result<void> close_sessions(sessions_bench_run& run, const std::vector<session_ref>& refs) {
  auto http = run.http();
  for (const auto& ref : refs) {
    auto [status, body] = http->call(
        verb::delete_, "/api/workspaces/" + ref.workspace_id + "/sessions/" + ref.session_id);
    if (status >= 300) {
      return tl::unexpected("closing a session answered " + std::to_string(status) + ": " + body);
    }
  }
  return {};
}

void clean_up(sessions_bench_run& run) {
  if (run.server) {
    try {
      auto http = run.http();
      for (const auto& id : run.workspace_ids)
        http->call(verb::delete_, "/api/workspaces/" + id);
    } catch (const std::exception& problem) {
      std::cerr << "bench: removing workspaces through the server: " << problem.what() << "\n";
    }
  }
  run.server.reset();
  for (std::size_t w = 0; w < run.workspace_ids.size(); ++w) {
    const auto name = run.container(w);
    if (auto removed = run.docker.remove_container(name, {.force = true, .volumes = true});
        !removed && removed.error().code != docker::error_code::not_found) {
      std::cerr << "bench: could not remove container " << name << ": "
                << docker::describe(removed.error()) << "\n";
    }
    if (auto removed = run.docker.remove_volume(name, true);
        !removed && removed.error().code != docker::error_code::not_found) {
      std::cerr << "bench: could not remove volume " << name << ": "
                << docker::describe(removed.error()) << "\n";
    }
  }
}

}  // namespace berth::bench
