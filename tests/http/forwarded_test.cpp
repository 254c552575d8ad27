#include "http/forwarded.hpp"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

request from(std::string peer, std::vector<std::pair<std::string, std::string>> headers) {
  request req;
  req.remote_address = std::move(peer);
  req.headers = std::move(headers);
  return req;
}

trusted_proxies proxies(std::string_view list) {
  auto parsed = trusted_proxies::parse(list);
  EXPECT_TRUE(parsed) << parsed.error();
  return parsed ? *parsed : trusted_proxies{};
}

TEST(forwarded, parses_a_list_of_addresses_and_names_the_first_bad_entry) {
  EXPECT_TRUE(proxies("").empty());
  EXPECT_TRUE(proxies(" , ").empty());
  const auto two = proxies(" 10.0.0.5 , ::1");
  EXPECT_TRUE(two.contains("10.0.0.5"));
  EXPECT_TRUE(two.contains("::1"));
  EXPECT_TRUE(two.contains("0:0::1")) << "compared as addresses, not text";
  EXPECT_TRUE(two.contains("::ffff:10.0.0.5")) << "an IPv4 peer on an IPv6 socket";
  EXPECT_FALSE(two.contains("10.0.0.6"));
  EXPECT_FALSE(two.contains("not an address"));
  const auto bad = trusted_proxies::parse("10.0.0.5, proxy.example, 10.0.0.7");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "not an IP address: proxy.example");
  EXPECT_FALSE(trusted_proxies::parse("10.0.0.0/8")) << "ranges are not addresses";
  EXPECT_FALSE(trusted_proxies::parse("fe80::1%eth0")) << "zones are not for proxies";
}

TEST(forwarded, believes_the_last_entry_the_trusted_proxy_wrote) {
  const auto trusted = proxies("10.0.0.5");
  // The client sent its own header; the proxy appended the address it saw.
  auto req = from("10.0.0.5",
                  {{"x-forwarded-for", "1.2.3.4, 203.0.113.7"}, {"x-forwarded-proto", "https"}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "203.0.113.7");
  EXPECT_TRUE(req.https);
  // Or added a header line of its own after the client's.
  req = from("10.0.0.5", {{"x-forwarded-for", "1.2.3.4"},
                          {"x-forwarded-for", " 2001:db8::7 "},
                          {"x-forwarded-proto", "https"},
                          {"x-forwarded-proto", "http"}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "2001:db8::7");
  EXPECT_FALSE(req.https);
}

TEST(forwarded, ignores_the_headers_from_anyone_else_and_garbage_from_the_proxy) {
  const auto trusted = proxies("10.0.0.5");
  auto req =
      from("198.51.100.9", {{"x-forwarded-for", "203.0.113.7"}, {"x-forwarded-proto", "https"}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "198.51.100.9");
  EXPECT_FALSE(req.https);
  req = from("10.0.0.5", {{"x-forwarded-for", "203.0.113.7, unknown"}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "10.0.0.5") << "not an address: the peer stays";
  req = from("10.0.0.5", {{"x-forwarded-for", "2001:db8::7%anything"}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "10.0.0.5") << "a zone: no client address";
  req = from("10.0.0.5", {{"x-forwarded-for", std::string("203.0.113.7\0junk", 16)}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "10.0.0.5") << "a NUL inside: no address";
  req = from("10.0.0.5", {{"x-forwarded-for", "203.0.113.7,"}});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "10.0.0.5") << "an empty last entry is no address";
  req = from("10.0.0.5", {});
  apply_forwarded(req, trusted);
  EXPECT_EQ(req.remote_address, "10.0.0.5");
  EXPECT_FALSE(req.https);
  req = from("10.0.0.5", {{"x-forwarded-for", "203.0.113.7"}});
  apply_forwarded(req, trusted_proxies{});
  EXPECT_EQ(req.remote_address, "10.0.0.5") << "no proxies trusted: nothing believed";
}

}  // namespace
}  // namespace berth::http
