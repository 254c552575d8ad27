#pragma once

// Ends open terminal WebSockets whose credentials stopped being valid: a WebSocket is
// authenticated once, at the upgrade, so without this a disabled user, a logged-out session,
// a changed role or password, a revoked API token, or a session or token that expired would
// keep a terminal that is already open. The watch asks the database once per tick, whatever the
// number of sockets, and works across `berth serve` processes because it reads what every node
// writes (docs/api.md, "Revocation reaches open terminals"; the close code in docs/protocol.md).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "accounts/accounts.hpp"
#include "http/server.hpp"

namespace berth::http {

/// The close code of a terminal WebSocket whose credentials were revoked (a 4xxx code is
/// the application's own, RFC 6455 section 7.4.2; 4401 mirrors HTTP 401).
inline constexpr std::uint16_t credentials_revoked_close_code = 4401;
/// The reason sent with credentials_revoked_close_code when a change ended the credential.
inline constexpr std::string_view credentials_revoked_reason = "credentials revoked";
/// The reason sent with it when the credential reached its own end (`principal::expires_ms`).
inline constexpr std::string_view credentials_expired_reason = "credentials expired";

/// A terminal socket as the watch knows it.
struct watched_socket {
  accounts::principal who;  ///< as authenticated at the upgrade
  std::string credential;   ///< the session JWT or API token text it authenticated with
  /// Closes it with credentials_revoked_close_code and the reason given; any thread.
  std::function<void(std::string_view reason)> close;
};

/// The credential of the caller `who` as the request carried it: the bearer token or the
/// session cookie that `authenticate` (http/api.hpp) read.
std::string credential_text_of(const request& req, const accounts::principal& who);

/// What the watch reads: the account service in production, a fake in unit tests.
class credential_source {
 public:
  virtual ~credential_source() = default;
  /// One query: stream versions of `user_ids` and which `session_ids` were logged out.
  virtual accounts::result<accounts::account_service::credential_versions> versions(
      const std::vector<std::string>& user_ids, const std::vector<std::string>& session_ids) = 0;
  /// Authenticates `credential` again, as a request with it would be now.
  virtual accounts::result<accounts::principal> authenticate(accounts::principal::method via,
                                                             std::string_view credential) = 0;
};

/// The account service as a credential source.
class account_credential_source final : public credential_source {
 public:
  explicit account_credential_source(accounts::account_service& accounts) : accounts_(accounts) {}
  accounts::result<accounts::account_service::credential_versions> versions(
      const std::vector<std::string>& user_ids,
      const std::vector<std::string>& session_ids) override;
  accounts::result<accounts::principal> authenticate(accounts::principal::method via,
                                                     std::string_view credential) override;

 private:
  accounts::account_service& accounts_;
};

/// Watches open terminal sockets and closes those whose credentials no longer hold.
/// Thread-safe; `close` callbacks run on the watch's thread (or the caller of `tick`).
class credential_watch {
 public:
  /// Time between two checks: a revocation reaches open terminals within about a second
  /// (docs/api.md), and one indexed query twice a second is next to nothing for the database.
  static constexpr std::chrono::milliseconds default_period{500};

  /// The clock tells when credentials expire (injected in tests).
  using clock_function = std::function<std::chrono::system_clock::time_point()>;

  explicit credential_watch(credential_source& source,
                            std::chrono::milliseconds period = default_period,
                            clock_function clock = std::chrono::system_clock::now);
  ~credential_watch();
  credential_watch(const credential_watch&) = delete;
  credential_watch& operator=(const credential_watch&) = delete;

  /// Starts watching a socket; the id for `remove`.
  std::uint64_t add(watched_socket socket);
  /// Stops watching (the socket closed); unknown ids are ignored.
  void remove(std::uint64_t id);
  /// The number of sockets watched.
  std::size_t size() const;

  /// One check: closes the sockets whose credentials expired, reads the versions,
  /// authenticates again the sockets of users whose stream moved (and those not checked yet),
  /// and closes the refused ones, those logged out and those whose role changed. A database
  /// error is logged and leaves the unexpired sockets open: the next tick tries again.
  void tick();

  /// Runs `tick` every period on a thread of its own until `stop`.
  void start();
  /// Stops the thread promptly (it waits on a condition, not a sleep); idempotent.
  void stop();

 private:
  struct entry {
    watched_socket socket;
    std::int64_t checked_version = -1;  ///< the user's stream version last checked; -1: never
  };
  /// A socket to authenticate again, copied out of the lock (the database is slow).
  struct recheck {
    std::uint64_t id = 0;
    accounts::principal who;
    std::string credential;
    std::int64_t version = 0;  ///< the user's stream version this check answers for
  };

  /// A socket to close, and why (the reason its close sends).
  struct closing {
    std::function<void(std::string_view)> close;
    std::string_view reason;
  };

  /// Moves the sockets whose credentials expired by `now` into `to_close`.
  void expire(std::chrono::system_clock::time_point now, std::vector<closing>& to_close);
  /// The users and session ids to ask about.
  std::pair<std::vector<std::string>, std::vector<std::string>> asked() const;
  /// Moves the close callbacks of logged-out sockets into `to_close` (they are dropped), and
  /// returns the sockets whose user's stream moved since their last check.
  std::vector<recheck> plan(const accounts::account_service::credential_versions& now,
                            std::vector<closing>& to_close);
  void run();

  credential_source& source_;
  const std::chrono::milliseconds period_;
  const clock_function clock_;

  mutable std::mutex mutex_;  ///< guards the members below
  std::map<std::uint64_t, entry> watched_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::condition_variable wake_;

  std::thread thread_;  ///< started and joined by start/stop only
};

}  // namespace berth::http
