// The SSRF guard's classifier: every blocked range, IPv4 forms embedded in
// IPv6, the allow-list and CIDR parsing.

#include "wirewatch/connectors/address_guard.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

namespace wirewatch::connectors {
namespace {

std::string klass(const char *text) {
  auto ip = ip_from_string(text);
  EXPECT_TRUE(ip) << text;
  if (!ip) return "?";
  const char *c = classify_address(*ip);
  return c ? c : "public";
}

TEST(AddressGuard, ClassifiesIpv4Ranges) {
  EXPECT_EQ(klass("127.0.0.1"), "loopback");
  EXPECT_EQ(klass("127.255.255.254"), "loopback");
  EXPECT_EQ(klass("10.0.0.1"), "private");
  EXPECT_EQ(klass("172.16.0.1"), "private");
  EXPECT_EQ(klass("172.31.255.255"), "private");
  EXPECT_EQ(klass("172.32.0.1"), "public");
  EXPECT_EQ(klass("172.15.255.255"), "public");
  EXPECT_EQ(klass("192.168.1.1"), "private");
  EXPECT_EQ(klass("100.64.0.1"), "cgnat");
  EXPECT_EQ(klass("100.127.255.255"), "cgnat");
  EXPECT_EQ(klass("100.128.0.1"), "public");
  EXPECT_EQ(klass("169.254.169.254"), "link-local");  // cloud metadata
  EXPECT_EQ(klass("224.0.0.1"), "multicast");
  EXPECT_EQ(klass("239.255.255.250"), "multicast");
  EXPECT_EQ(klass("0.0.0.0"), "unspecified");
  EXPECT_EQ(klass("0.1.2.3"), "unspecified");
  EXPECT_EQ(klass("255.255.255.255"), "broadcast");
  EXPECT_EQ(klass("240.0.0.1"), "reserved");
  EXPECT_EQ(klass("192.0.2.10"), "reserved");
  EXPECT_EQ(klass("198.18.0.1"), "reserved");
  EXPECT_EQ(klass("203.0.113.5"), "reserved");
  EXPECT_EQ(klass("8.8.8.8"), "public");
  EXPECT_EQ(klass("93.184.216.34"), "public");
  EXPECT_EQ(klass("11.0.0.1"), "public");
}

TEST(AddressGuard, ClassifiesIpv6Ranges) {
  EXPECT_EQ(klass("::1"), "loopback");
  EXPECT_EQ(klass("::"), "unspecified");
  EXPECT_EQ(klass("fc00::1"), "private");
  EXPECT_EQ(klass("fd12:3456::1"), "private");
  EXPECT_EQ(klass("fe80::1"), "link-local");
  EXPECT_EQ(klass("febf::1"), "link-local");
  EXPECT_EQ(klass("fec0::1"), "private");
  EXPECT_EQ(klass("ff02::1"), "multicast");
  EXPECT_EQ(klass("2001:db8::1"), "reserved");
  EXPECT_EQ(klass("100::1"), "reserved");
  EXPECT_EQ(klass("4000::1"), "reserved");  // outside global unicast
  EXPECT_EQ(klass("2a00:1450:4001:81b::200e"), "public");
  EXPECT_EQ(klass("2606:4700::1111"), "public");
}

TEST(AddressGuard, ClassifiesIpv4EmbeddedInIpv6) {
  EXPECT_EQ(klass("::ffff:127.0.0.1"), "loopback");  // mapped
  EXPECT_EQ(klass("::ffff:10.1.2.3"), "private");
  EXPECT_EQ(klass("::ffff:169.254.169.254"), "link-local");
  EXPECT_EQ(klass("::ffff:8.8.8.8"), "public");
  EXPECT_EQ(klass("::127.0.0.1"), "loopback");  // compatible
  EXPECT_EQ(klass("::192.168.0.1"), "private");
  EXPECT_EQ(klass("::ffff:0:10.0.0.1"), "private");  // translated
  EXPECT_EQ(klass("64:ff9b::7f00:1"), "loopback");   // NAT64 of 127.0.0.1
  EXPECT_EQ(klass("64:ff9b::808:808"), "public");
  EXPECT_EQ(klass("2002:7f00:1::1"), "loopback");   // 6to4 of 127.0.0.1
  EXPECT_EQ(klass("2002:c0a8:101::1"), "private");  // 6to4 of 192.168.1.1
  EXPECT_EQ(klass("2002:808:808::1"), "public");
}

TEST(AddressGuard, ParsesCidrs) {
  auto a = parse_cidr("10.0.0.0/8");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, AF_INET);
  EXPECT_EQ(a->prefix, 8);
  auto b = parse_cidr("127.0.0.1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->prefix, 32);
  auto c = parse_cidr("fd00::/8");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->family, AF_INET6);
  EXPECT_EQ(c->prefix, 8);
  EXPECT_EQ(parse_cidr("::1")->prefix, 128);

  std::string error;
  EXPECT_FALSE(parse_cidr("10.0.0.0/33", &error));
  EXPECT_NE(error.find("prefix"), std::string::npos) << error;
  EXPECT_FALSE(parse_cidr("10.0.0.1/8", &error));  // host bits set
  EXPECT_NE(error.find("beyond"), std::string::npos) << error;
  EXPECT_FALSE(parse_cidr("example.com/8", &error));
  EXPECT_NE(error.find("not an IPv4 or IPv6 address"), std::string::npos) << error;
  EXPECT_FALSE(parse_cidr("10.0.0/8"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/8x"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/-1"));
  EXPECT_FALSE(parse_cidr(""));
  EXPECT_FALSE(parse_cidr("fe80::/129"));
}

TEST(AddressGuard, PolicyAllowsListedRangesOnly) {
  AddressPolicy p;
  auto ip = [](const char *s) { return *ip_from_string(s); };
  EXPECT_STREQ(refuse_reason(p, ip("127.0.0.1")), "loopback");
  EXPECT_EQ(refuse_reason(p, ip("8.8.8.8")), nullptr);

  p.allow = {*parse_cidr("127.0.0.1/32"), *parse_cidr("10.1.0.0/16")};
  EXPECT_EQ(refuse_reason(p, ip("127.0.0.1")), nullptr);
  EXPECT_EQ(refuse_reason(p, ip("::ffff:127.0.0.1")),
            nullptr);  // the same address, mapped
  EXPECT_STREQ(refuse_reason(p, ip("127.0.0.2")), "loopback");
  EXPECT_STREQ(refuse_reason(p, ip("::1")), "loopback");
  EXPECT_EQ(refuse_reason(p, ip("10.1.200.3")), nullptr);
  EXPECT_STREQ(refuse_reason(p, ip("10.2.0.1")), "private");

  AddressPolicy open;
  open.allow_private_networks = true;
  EXPECT_EQ(refuse_reason(open, ip("127.0.0.1")), nullptr);
  EXPECT_EQ(refuse_reason(open, ip("fe80::1")), nullptr);
}

TEST(AddressGuard, ReadsSockaddrs) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "192.168.7.9", &in.sin_addr);
  auto a = ip_from_sockaddr(reinterpret_cast<sockaddr *>(&in), sizeof in);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "192.168.7.9");
  EXPECT_STREQ(classify_address(*a), "private");

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  auto b = ip_from_sockaddr(reinterpret_cast<sockaddr *>(&in6), sizeof in6);
  ASSERT_TRUE(b);
  EXPECT_STREQ(classify_address(*b), "loopback");
  // A truncated sockaddr is not read.
  EXPECT_FALSE(ip_from_sockaddr(reinterpret_cast<sockaddr *>(&in6), 8));
}

}  // namespace
}  // namespace wirewatch::connectors
