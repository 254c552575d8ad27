#pragma once

// The REST API's shared pieces: the services the routes use, authentication of a request,
// and the one place where domain errors become status codes (DESIGN.md "HTTP and auth").

#include <string>

#include <tl/expected.hpp>

#include "accounts/accounts.hpp"
#include "actors/session_service.hpp"
#include "actors/workspace_service.hpp"
#include "events/error.hpp"
#include "http/download_limits.hpp"
#include "http/json_body.hpp"
#include "http/request_fields.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace berth::audit {
class audit_reader;
}  // namespace berth::audit

namespace berth::http {

class credential_watch;

/// Name of the session cookie (HttpOnly, SameSite=Lax, Path=/).
inline constexpr std::string_view session_cookie_name = "berth_session";

/// Terminal WebSockets one user may hold open on one node, unless configured.
inline constexpr std::size_t default_terminals_per_user = 32;

/// What the REST routes work with.
struct api_services {
  accounts::account_service& accounts;
  actors::workspace_service* workspaces = nullptr;  ///< null in tests of other routes
  actors::session_service* sessions = nullptr;      ///< null in tests of other routes
  bool secure_cookies = false;                      ///< adds `Secure` to the cookie (behind HTTPS)
  audit::audit_reader* audit = nullptr;             ///< null in tests of other routes
  /// Closes open terminals whose credentials are revoked; null: they are not watched.
  credential_watch* credentials = nullptr;
  /// Downloads (exports, recordings) running per user, and their bounds.
  std::shared_ptr<download_gate> downloads = std::make_shared<download_gate>();
  /// Terminal WebSockets open per user (`--max-terminals-per-user`): tabs across workspaces
  /// and a few watchers, never enough to hold a node's sockets and memory (each may queue
  /// output up to its flow-control window).
  std::shared_ptr<user_gate> terminals = std::make_shared<user_gate>(default_terminals_per_user);
};

/// The ticket of a download `who` may start now, or the 429 refusing it (docs/api.md
/// "Downloads").
tl::expected<std::shared_ptr<void>, response> enter_download(api_services& services,
                                                             const accounts::principal& who);

/// An authenticated caller, or the response refusing the request.
using checked_principal = tl::expected<accounts::principal, response>;

/// The caller from the session cookie or `Authorization: Bearer <token>`; 401 otherwise.
checked_principal authenticate(const request& req, accounts::account_service& accounts);

/// 403 unless the caller is an admin.
std::optional<response> require_admin(const accounts::principal& who);
/// 403 unless the caller may change things (not an auditor).
std::optional<response> require_writer(const accounts::principal& who);

/// 403 unless the caller may read everything (admins and auditors).
std::optional<response> require_reader(const accounts::principal& who);

/// A route handler for callers that authenticate.
using authenticated_handler =
    std::function<response(const request&, const route_params&, const accounts::principal&)>;
/// Runs `on_caller` for an authenticated caller; 401 otherwise.
route_handler signed_in(api_services& services, authenticated_handler on_caller);

/// The workspace if the caller may see it: 404 when unknown or deleted, 403 when a member's
/// but not the caller's.
checked<actors::workspace_reply> owned_workspace(actors::workspace_service& workspaces,
                                                 const accounts::principal& who,
                                                 const std::string& id);

/// Why `owner_id` may not bring up one more workspace (their running quota is used up), or
/// nothing. Checked before anything that may start a stopped workspace: start, restart,
/// ensure, and opening a terminal in it.
std::optional<actors::command_error> running_quota_refusal(accounts::account_service& accounts,
                                                           actors::workspace_service& workspaces,
                                                           const std::string& owner_id);

/// An empty 204 response.
response no_content();

/// Metadata for events caused by this request.
accounts::change_context change_context_of(const accounts::principal& who, const request& req);
actors::command_origin command_origin_of(const accounts::principal& who, const request& req);

/// The one mapping from domain errors to responses.
response error_response_of(const accounts::error& failure);
response error_response_of(const actors::command_error& failure);
response error_response_of(const events::error& failure);

/// Routes of /api/auth/*, /api/me, /api/me/tokens, /api/me/secrets, /api/admin/users.
void add_account_routes(router& routes, api_services& services);
/// Routes of /api/templates and /api/admin/limits.
void add_admin_routes(router& routes, api_services& services);
/// Routes of /api/workspaces...
void add_workspace_routes(router& routes, api_services& services);
/// Routes of /api/workspaces/{id}/sessions... including the terminal WebSocket.
void add_session_routes(router& routes, api_services& services);
/// Routes of /api/audit... (the audit log, sessions and their recordings).
void add_audit_routes(router& routes, api_services& services);
/// Routes of /api/admin/traces (recent traces for the admin page).
void add_trace_routes(router& routes, api_services& services);
/// `GET /metrics` (Prometheus text format); when `token` is not empty, only for
/// `Authorization: Bearer <token>` (401 otherwise).
void add_metrics_routes(router& routes, const std::string& token);

}  // namespace berth::http
