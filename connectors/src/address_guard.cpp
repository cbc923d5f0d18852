#include "wirewatch/connectors/address_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace wirewatch::connectors {
namespace {

struct Range {
  std::array<std::uint8_t, 16> bytes;
  int prefix;
  const char *name;
};

bool in_prefix(const std::uint8_t *addr, const std::uint8_t *net, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(addr, net, static_cast<std::size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (addr[full] & mask) == (net[full] & mask);
}

// IPv4 special-purpose ranges (RFC 6890 and its updates). Order matters:
// the broadcast address comes before 240/4.
const Range kV4[] = {
    {{0, 0, 0, 0}, 8, "unspecified"},        {{10, 0, 0, 0}, 8, "private"},
    {{100, 64, 0, 0}, 10, "cgnat"},          {{127, 0, 0, 0}, 8, "loopback"},
    {{169, 254, 0, 0}, 16, "link-local"},    {{172, 16, 0, 0}, 12, "private"},
    {{192, 0, 0, 0}, 24, "reserved"},        {{192, 0, 2, 0}, 24, "reserved"},
    {{192, 88, 99, 0}, 24, "reserved"},      {{192, 168, 0, 0}, 16, "private"},
    {{198, 18, 0, 0}, 15, "reserved"},       {{198, 51, 100, 0}, 24, "reserved"},
    {{203, 0, 113, 0}, 24, "reserved"},      {{224, 0, 0, 0}, 4, "multicast"},
    {{255, 255, 255, 255}, 32, "broadcast"}, {{240, 0, 0, 0}, 4, "reserved"},
};

// IPv6 ranges that do not embed an IPv4 address.
const Range kV6[] = {
    {{0x01, 0x00}, 64, "reserved"},                         // 100::/64 discard
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "reserved"},             // documentation
    {{0x20, 0x01, 0x00, 0x00}, 23, "reserved"},             // IETF protocol assignments, Teredo
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "private"},  // local-use NAT64
    {{0xfc}, 7, "private"},                                 // unique local
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "private"},  // site-local (deprecated)
    {{0xff}, 8, "multicast"},
};

// The IPv4 address an IPv6 address carries: mapped (::ffff:a.b.c.d),
// translated (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64
// (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
std::optional<IpAddress> embedded_v4(const IpAddress &ip) {
  if (ip.family != AF_INET6) return std::nullopt;
  const auto &b = ip.bytes;
  IpAddress v4;
  v4.family = AF_INET;
  static const std::uint8_t kZero[12] = {};
  static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const std::uint8_t kTranslated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
  static const std::uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b.data(), kMapped, 12) == 0 || std::memcmp(b.data(), kTranslated, 12) == 0 ||
      std::memcmp(b.data(), kNat64, 12) == 0 || std::memcmp(b.data(), kZero, 12) == 0) {
    std::memcpy(v4.bytes.data(), b.data() + 12, 4);
    return v4;
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    std::memcpy(v4.bytes.data(), b.data() + 2, 4);
    return v4;
  }
  return std::nullopt;
}

const char *classify_v4(const IpAddress &ip) {
  for (const auto &r : kV4)
    if (in_prefix(ip.bytes.data(), r.bytes.data(), r.prefix)) return r.name;
  return nullptr;
}

bool contains(const Cidr &c, const IpAddress &ip) {
  return c.family == ip.family && in_prefix(ip.bytes.data(), c.bytes.data(), c.prefix);
}

}  // namespace

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family, bytes.data(), buf, sizeof buf)) return "?";
  return buf;
}

std::optional<IpAddress> ip_from_sockaddr(const sockaddr *sa, socklen_t len) {
  if (!sa) return std::nullopt;
  IpAddress ip;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in;
    std::memcpy(&in, sa, sizeof in);
    ip.family = AF_INET;
    std::memcpy(ip.bytes.data(), &in.sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6;
    std::memcpy(&in6, sa, sizeof in6);
    ip.family = AF_INET6;
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

std::optional<IpAddress> ip_from_string(std::string_view text) {
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

std::optional<Cidr> parse_cidr(std::string_view text, std::string *error) {
  auto fail = [&](std::string why) -> std::optional<Cidr> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  auto slash = text.find('/');
  auto ip = ip_from_string(text.substr(0, slash));
  if (!ip) return fail("not an IPv4 or IPv6 address: `" + std::string(text.substr(0, slash)) + "`");
  int max = ip->family == AF_INET ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > max)
      return fail("invalid prefix length `" + std::string(p) + "` (expected 0 to " + std::to_string(max) +
                  ")");
  }
  Cidr c;
  c.family = ip->family;
  c.bytes = ip->bytes;
  c.prefix = prefix;
  c.text = std::string(text);
  // Host bits set (10.1.2.3/8) usually mean a typo: say so rather than guess.
  int bytes = max / 8;
  for (int i = 0; i < bytes; ++i) {
    int keep = std::min(8, std::max(0, prefix - i * 8));
    auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
    if ((c.bytes[static_cast<std::size_t>(i)] & ~mask & 0xff) != 0)
      return fail("`" + std::string(text) + "` has bits set beyond its /" + std::to_string(prefix) +
                  " prefix");
  }
  return c;
}

const char *classify_address(const IpAddress &ip) {
  if (ip.family == AF_INET) return classify_v4(ip);
  if (ip.family != AF_INET6) return "unspecified";
  static const std::uint8_t kZero[16] = {};
  static const std::uint8_t kOne[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(ip.bytes.data(), kZero, 16) == 0) return "unspecified";
  if (std::memcmp(ip.bytes.data(), kOne, 16) == 0) return "loopback";
  if (auto v4 = embedded_v4(ip)) return classify_v4(*v4);
  for (const auto &r : kV6)
    if (in_prefix(ip.bytes.data(), r.bytes.data(), r.prefix)) return r.name;
  // Global unicast is 2000::/3; anything else is not on the public Internet.
  if ((ip.bytes[0] & 0xe0) != 0x20) return "reserved";
  return nullptr;
}

bool allowed_by(const std::vector<Cidr> &allow, const IpAddress &ip) {
  auto v4 = embedded_v4(ip);
  for (const auto &c : allow)
    if (contains(c, ip) || (v4 && contains(c, *v4))) return true;
  return false;
}

const char *refuse_reason(const AddressPolicy &policy, const IpAddress &ip) {
  if (policy.allow_private_networks) return nullptr;
  const char *reason = classify_address(ip);
  if (!reason || allowed_by(policy.allow, ip)) return nullptr;
  return reason;
}

}  // namespace wirewatch::connectors
