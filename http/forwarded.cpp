#include "http/forwarded.hpp"

#include <optional>

#include <boost/asio/ip/address.hpp>

#include "http/request_fields.hpp"

namespace berth::http {
namespace {

/// The canonical text of an address, IPv4-mapped IPv6 ones as IPv4; nothing if not one.
std::optional<std::string> canonical_address(std::string_view text) {
  // The parser reads a C string (a NUL would end the text early) and takes anything after a
  // `%` as an IPv6 zone, which no forwarded client address has.
  if (text.find_first_of(std::string_view("\0%", 2)) != std::string_view::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

/// The last value of the last `name` header: what the nearest proxy wrote (a proxy appends
/// its entry to a list, or adds a header line of its own after the client's).
std::string_view last_entry(const request& req, std::string_view name) {
  std::string_view last;
  for (const auto& [header, value] : req.headers) {
    if (header == name) last = value;
  }
  if (const auto comma = last.rfind(','); comma != std::string_view::npos) {
    last.remove_prefix(comma + 1);
  }
  return trim_blanks(last);
}

}  // namespace

tl::expected<trusted_proxies, std::string> trusted_proxies::parse(std::string_view list) {
  trusted_proxies out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto entry = trim_blanks(list.substr(0, comma));
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    if (entry.empty()) continue;
    auto address = canonical_address(entry);
    if (!address) return tl::unexpected("not an IP address: " + std::string(entry));
    out.addresses_.push_back(std::move(*address));
  }
  return out;
}

bool trusted_proxies::contains(std::string_view address) const {
  if (addresses_.empty()) return false;
  const auto canonical = canonical_address(address);
  if (!canonical) return false;
  for (const auto& trusted : addresses_) {
    if (trusted == *canonical) return true;
  }
  return false;
}

void apply_forwarded(request& req, const trusted_proxies& proxies) {
  if (!proxies.contains(req.remote_address)) return;
  req.from_trusted_proxy = true;
  if (auto client = canonical_address(last_entry(req, "x-forwarded-for"))) {
    req.remote_address = std::move(*client);
  }
  const auto proto = last_entry(req, "x-forwarded-proto");
  req.https = proto == "https" || proto == "HTTPS";
}

}  // namespace berth::http
