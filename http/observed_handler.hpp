#pragma once

// Every request through one door: a server span (continuing the caller's W3C `traceparent`,
// or a new trace), the `traceparent` response header, and the HTTP metrics by route template
// and status. The span is the worker thread's current span while the route runs, so the
// spans of what the route calls (actors, event store, Docker) become its children. Before
// all that, a request from a trusted proxy takes the client's address and scheme from it
// (http/forwarded.hpp), and an answer to an HTTPS request carries HSTS.

#include "http/forwarded.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace berth::http {

/// A server handler that dispatches to `routes` (which must outlive it), observed; the
/// forwarding headers of `proxies` are believed.
handler observed_handler(const router& routes, trusted_proxies proxies = {});

}  // namespace berth::http
