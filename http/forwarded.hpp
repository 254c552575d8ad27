#pragma once

// `--trusted-proxy`: who may say where a request came from. Behind a reverse proxy (HAProxy,
// nginx) every request arrives from the proxy's address, so the login throttle, the audit
// log's addresses and the cookie's `Secure` flag need what the proxy says about the client
// (X-Forwarded-For, X-Forwarded-Proto). Anyone can send those headers, so they are believed
// only from the proxies named here, and otherwise ignored.

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "http/server.hpp"

namespace berth::http {

/// The proxies whose forwarding headers are believed: IP addresses without an IPv6 zone,
/// compared exactly (an IPv4 peer seen as an IPv4-mapped IPv6 address counts as the IPv4 one).
class trusted_proxies {
 public:
  /// None: forwarding headers are ignored.
  trusted_proxies() = default;
  /// From a comma-separated list of IPv4 and IPv6 addresses (blanks around entries allowed,
  /// an empty list trusts none); the error names the first entry that is not an address.
  static tl::expected<trusted_proxies, std::string> parse(std::string_view list);

  /// Whether `address` (a request's peer) is one of them.
  bool contains(std::string_view address) const;
  bool empty() const { return addresses_.empty(); }

 private:
  std::vector<std::string> addresses_;  ///< each in its canonical text form
};

/// HSTS for responses to HTTPS requests: a year, the common minimum for preload lists; the
/// browser then never tries plain HTTP for this host again within it.
inline constexpr std::string_view strict_transport_security = "max-age=31536000";

/// For a request from a trusted proxy: `from_trusted_proxy` is set, `remote_address` becomes
/// the client address the proxy added (the last X-Forwarded-For entry: earlier ones came with
/// the request and may be forged) and `https` what the proxy's last X-Forwarded-Proto says. A
/// value that is not an address, or a request from anyone else, leaves the request as it
/// arrived.
void apply_forwarded(request& req, const trusted_proxies& proxies);

}  // namespace berth::http
