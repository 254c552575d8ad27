#include "http/credential_watch.hpp"

#include <set>

#include "http/api.hpp"
#include "http/request_fields.hpp"
#include "telemetry/log.hpp"

namespace berth::http {
namespace {

using telemetry::level;
using method = accounts::principal::method;

/// What a socket's second authentication means for it.
enum class verdict { keep, close, retry };

verdict judge(const accounts::principal& opened_as,
              const accounts::result<accounts::principal>& now) {
  if (!now) {
    // Only a refusal ends a terminal; an unreachable database is asked again next tick.
    return now.error().kind == accounts::error::code::unauthenticated ? verdict::close
                                                                      : verdict::retry;
  }
  // The role decided what the socket may do (auditors may not type): a socket opened under
  // another role reconnects under the current one.
  if (now->user_id != opened_as.user_id || now->role != opened_as.role) return verdict::close;
  return verdict::keep;
}

}  // namespace

std::string credential_text_of(const request& req, const accounts::principal& who) {
  if (who.via == method::cookie) return cookie_value(req, session_cookie_name);
  // `authenticate` accepted this header, so it is `Bearer <token>` with any case of scheme.
  constexpr std::string_view scheme = "Bearer ";
  const auto authorization = req.header("authorization");
  if (authorization.size() <= scheme.size()) return {};
  return std::string(trim_blanks(std::string_view(authorization).substr(scheme.size())));
}

accounts::result<accounts::account_service::credential_versions>
account_credential_source::versions(const std::vector<std::string>& user_ids,
                                    const std::vector<std::string>& session_ids) {
  return accounts_.credential_versions_of(user_ids, session_ids);
}

accounts::result<accounts::principal> account_credential_source::authenticate(
    method via, std::string_view credential) {
  return via == method::cookie ? accounts_.authenticate_session(credential)
                               : accounts_.authenticate_token(credential);
}

credential_watch::credential_watch(credential_source& source, std::chrono::milliseconds period,
                                   clock_function clock)
    : source_(source), period_(period), clock_(std::move(clock)) {}

credential_watch::~credential_watch() {
  stop();
}

std::uint64_t credential_watch::add(watched_socket socket) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  watched_.emplace(id, entry{std::move(socket)});
  return id;
}

void credential_watch::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  watched_.erase(id);
}

std::size_t credential_watch::size() const {
  std::lock_guard lock(mutex_);
  return watched_.size();
}

void credential_watch::expire(std::chrono::system_clock::time_point now,
                              std::vector<closing>& to_close) {
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::lock_guard lock(mutex_);
  for (auto it = watched_.begin(); it != watched_.end();) {
    const auto& who = it->second.socket.who;
    if (who.expires_ms == 0 || now_ms < who.expires_ms) {
      ++it;
      continue;
    }
    telemetry::log(level::info, "http.credential_watch", "terminal closed: credentials expired",
                   {{"user_id", std::string_view(who.user_id)}});
    to_close.push_back({std::move(it->second.socket.close), credentials_expired_reason});
    it = watched_.erase(it);
  }
}

std::pair<std::vector<std::string>, std::vector<std::string>> credential_watch::asked() const {
  std::set<std::string> users, sessions;
  std::lock_guard lock(mutex_);
  for (const auto& [id, watched] : watched_) {
    const auto& who = watched.socket.who;
    users.insert(who.user_id);
    if (who.via == method::cookie) sessions.insert(who.credential_id);
  }
  return {{users.begin(), users.end()}, {sessions.begin(), sessions.end()}};
}

std::vector<credential_watch::recheck> credential_watch::plan(
    const accounts::account_service::credential_versions& now, std::vector<closing>& to_close) {
  const std::set<std::string> revoked(now.revoked_session_ids.begin(),
                                      now.revoked_session_ids.end());
  std::vector<recheck> rechecks;
  std::lock_guard lock(mutex_);
  for (auto it = watched_.begin(); it != watched_.end();) {
    const auto& who = it->second.socket.who;
    if (who.via == method::cookie && revoked.contains(who.credential_id)) {
      telemetry::log(level::info, "http.credential_watch", "terminal closed: session logged out",
                     {{"user_id", std::string_view(who.user_id)}});
      to_close.push_back({std::move(it->second.socket.close), credentials_revoked_reason});
      it = watched_.erase(it);
      continue;
    }
    const auto version = now.user_versions.find(who.user_id);
    const auto current = version == now.user_versions.end() ? 0 : version->second;
    // A socket not checked yet is checked once: its user may have changed between the
    // upgrade's authentication and the query that first saw it.
    if (current != it->second.checked_version) {
      rechecks.push_back({it->first, who, it->second.socket.credential, current});
    }
    ++it;
  }
  return rechecks;
}

void credential_watch::tick() {
  std::vector<closing> to_close;
  // Outside the lock: a close may end the socket at once, and its end calls `remove`.
  const auto close_all = [&to_close] {
    for (auto& each : to_close) {
      if (each.close) each.close(each.reason);
    }
  };
  // Expiry needs no database: it holds while the database is away.
  expire(clock_(), to_close);
  const auto [user_ids, session_ids] = asked();
  if (user_ids.empty()) return close_all();
  auto now = source_.versions(user_ids, session_ids);
  if (!now) {
    // Never close because the database is briefly away: the next tick asks again.
    telemetry::log(level::warn, "http.credential_watch", "cannot check open terminals",
                   {{"error", std::string_view(now.error().message)}});
    return close_all();
  }
  const auto rechecks = plan(*now, to_close);
  // Outside the lock: each answer costs a query. One per credential, since a browser's tabs
  // share one cookie.
  std::map<std::pair<method, std::string>, accounts::result<accounts::principal>> answers;
  std::vector<verdict> verdicts;
  for (const auto& socket : rechecks) {
    const auto key = std::pair{socket.who.via, socket.credential};
    auto answer = answers.find(key);
    if (answer == answers.end()) {
      answer = answers.emplace(key, source_.authenticate(socket.who.via, socket.credential)).first;
    }
    verdicts.push_back(judge(socket.who, answer->second));
    if (verdicts.back() == verdict::retry) {
      telemetry::log(level::warn, "http.credential_watch", "cannot check an open terminal",
                     {{"user_id", std::string_view(socket.who.user_id)},
                      {"error", std::string_view(answer->second.error().message)}});
    }
  }
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < rechecks.size(); ++i) {
      const auto found = watched_.find(rechecks[i].id);
      if (found == watched_.end()) continue;  // closed meanwhile
      if (verdicts[i] == verdict::keep) {
        found->second.checked_version = rechecks[i].version;
      } else if (verdicts[i] == verdict::close) {
        telemetry::log(level::info, "http.credential_watch",
                       "terminal closed: credentials no longer valid",
                       {{"user_id", std::string_view(rechecks[i].who.user_id)}});
        to_close.push_back({std::move(found->second.socket.close), credentials_revoked_reason});
        watched_.erase(found);
      }
    }
  }
  close_all();
}

void credential_watch::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void credential_watch::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void credential_watch::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    tick();
    lock.lock();
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace berth::http
