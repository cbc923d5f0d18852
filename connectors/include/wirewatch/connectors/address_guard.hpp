#pragma once
// Which network addresses the HTTP fetcher may connect to (the SSRF guard).
//
// Links inside feeds are chosen by whoever writes the feed, so an address is
// refused when it is not on the public Internet: loopback, private, CGNAT,
// link-local, multicast, unspecified, broadcast and the other reserved ranges,
// in IPv4 and IPv6, including IPv4 addresses embedded in IPv6 ones (mapped,
// compatible, NAT64, 6to4). The operator opens holes with an allow-list of
// CIDRs or turns the guard off with allow_private_networks.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::connectors {

// An IPv4 or IPv6 network. IPv4 is stored as its four bytes (family AF_INET).
struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};
  int prefix = 0;    // 0..32 or 0..128
  std::string text;  // as written, for messages
};

// "10.0.0.0/8", "::1/128", or a bare address (a /32 or /128). Addresses are
// parsed with inet_pton; host bits beyond the prefix must be zero.
// nullopt with `error` set when it is not one.
std::optional<Cidr> parse_cidr(std::string_view text, std::string *error = nullptr);

struct AddressPolicy {
  bool allow_private_networks = false;  // no address is refused
  std::vector<Cidr> allow;              // these are allowed whatever their range
};

// An address as bytes: 4 for IPv4, 16 for IPv6.
struct IpAddress {
  int family = 0;
  std::array<std::uint8_t, 16> bytes{};
  std::string to_string() const;
};

std::optional<IpAddress> ip_from_sockaddr(const sockaddr *sa, socklen_t len);
std::optional<IpAddress> ip_from_string(std::string_view text);  // inet_pton, v4 or v6

// The range a non-public address belongs to ("loopback", "private", "cgnat",
// "link-local", "multicast", "unspecified", "broadcast", "reserved"); nullptr
// for a public address. IPv6 addresses embedding an IPv4 one are classified
// by the IPv4 address.
const char *classify_address(const IpAddress &ip);

// Does some CIDR of `allow` contain `ip` (or the IPv4 address embedded in it)?
bool allowed_by(const std::vector<Cidr> &allow, const IpAddress &ip);

// nullptr when `policy` lets the fetcher connect to `ip`; else the reason
// (classify_address()'s name).
const char *refuse_reason(const AddressPolicy &policy, const IpAddress &ip);

}  // namespace wirewatch::connectors
