#pragma once

// Cross-site request forgery defences (docs/security.md "CSRF"): which requests a browser
// may have been tricked into sending. Pure functions of the request, so they are unit-tested
// and fuzzed without a server.

#include <optional>

#include "http/server.hpp"

namespace berth::http {

/// True when a browser's `Origin` names this server (scheme `http` or `https` and the
/// request's own `Host`), or when there is no `Origin` (clients that are not browsers send
/// none). `Origin: null` (sandboxed frames, some redirects) is never this server.
bool origin_allowed(const request& req);

/// Refuses what a page of another origin could make a signed-in browser send, before any
/// handler runs. For state-changing requests (anything but GET, HEAD and OPTIONS) to `/api/`:
/// - a `Sec-Fetch-Site` other than `same-origin` or `none` (a user's own navigation): 403
///   `cross_site_request` — another port of the same host is `same-site`, not same origin;
/// - an `Origin` that is not this server: 403 `cross_site_request`;
/// - a body (or a `Content-Type`) that is not `application/json`: 415
///   `unsupported_media_type` — HTML forms and `no-cors` fetches can only send
///   `text/plain`, `multipart/form-data` and `application/x-www-form-urlencoded` without a
///   CORS preflight, which Berth never answers.
/// Nothing for requests that may pass.
std::optional<response> refuse_cross_site(const request& req);

}  // namespace berth::http
