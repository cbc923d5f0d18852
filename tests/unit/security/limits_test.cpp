// Config keys of the SSRF guard and the limits, and how a record is cut to its
// limits.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wirewatch/connectors/feed_parser.hpp"
#include "wirewatch/daemon/config.hpp"
#include "wirewatch/daemon/prepare.hpp"

namespace wirewatch::daemon {
namespace {

const char *kBase = "state_dir: /s\nrules: /r\npublish:\n  endpoint: tcp://127.0.0.1:5556\n";

std::vector<std::string> headlines(const ConfigResult &r) {
  std::vector<std::string> out;
  for (const auto &d : r.diagnostics.items()) out.push_back(d.headline());
  return out;
}

TEST(SecurityConfig, DefaultsRefusePrivateNetworks) {
  auto r = parse_config("/c.yaml", kBase);
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  EXPECT_FALSE(r.config->http.address_policy.allow_private_networks);
  EXPECT_TRUE(r.config->http.address_policy.allow.empty());
  EXPECT_EQ(r.config->limits.max_items_per_feed, 1000u);
  EXPECT_EQ(r.config->limits.max_record_bytes, 1024u * 1024);
  EXPECT_EQ(r.config->limits.max_paragraphs, 2000u);
  EXPECT_EQ(r.config->limits.max_query_depth, 100u);
}

TEST(SecurityConfig, ReadsAllowListAndLimits) {
  auto r = parse_config("/c.yaml", std::string(kBase) +
                                       "http:\n  allow_private_networks: true\n"
                                       "  allow: [127.0.0.1/32, \"fd00::/8\", 10.0.0.0/8]\n"
                                       "limits:\n  max_items_per_feed: 50\n  max_record_bytes: 64KiB\n"
                                       "  max_paragraphs: 10\n  max_rules: 5\n"
                                       "  max_query_length: 1KiB\n  max_query_depth: 20\n"
                                       "  max_yaml_bytes: 1MiB\n  max_yaml_depth: 16\n");
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  const auto &p = r.config->http.address_policy;
  EXPECT_TRUE(p.allow_private_networks);
  ASSERT_EQ(p.allow.size(), 3u);
  EXPECT_EQ(p.allow[1].text, "fd00::/8");
  const auto &l = r.config->limits;
  EXPECT_EQ(l.max_items_per_feed, 50u);
  EXPECT_EQ(l.max_record_bytes, 64u * 1024);
  EXPECT_EQ(l.max_paragraphs, 10u);
  EXPECT_EQ(l.max_rules, 5u);
  EXPECT_EQ(l.max_query_length, 1024u);
  EXPECT_EQ(l.max_query_depth, 20u);
  EXPECT_EQ(l.max_yaml_bytes, 1024u * 1024);
  EXPECT_EQ(l.max_yaml_depth, 16u);
}

TEST(SecurityConfig, BadCidrsAndLimitsPointAtTheirLocation) {
  auto r = parse_config("/c.yaml", std::string(kBase) +
                                       "http:\n  allow:\n    - 10.0.0.1/8\n    - localhost\n"
                                       "    - 10.0.0.0/40\n  allow_private_networks: maybe\n"
                                       "limits:\n  max_items_per_feed: 0\n  max_record_bytes: lots\n"
                                       "  max_cats: 3\n");
  EXPECT_FALSE(r.config);
  auto h = headlines(r);
  auto has = [&](const std::string &needle) {
    for (const auto &line : h)
      if (line.find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(
      has("/c.yaml:7:7: error: invalid CIDR in `http.allow`: "
          "`10.0.0.1/8` has bits set"))
      << ::testing::PrintToString(h);
  EXPECT_TRUE(
      has("/c.yaml:8:7: error: invalid CIDR in `http.allow`: not an "
          "IPv4 or IPv6 address"))
      << ::testing::PrintToString(h);
  EXPECT_TRUE(
      has("/c.yaml:9:7: error: invalid CIDR in `http.allow`: invalid "
          "prefix length `40`"))
      << ::testing::PrintToString(h);
  EXPECT_TRUE(
      has("/c.yaml:10:27: error: `http.allow_private_networks` must be "
          "true or false"))
      << ::testing::PrintToString(h);
  EXPECT_TRUE(has("/c.yaml:12:23: error: `limits.max_items_per_feed` must be an integer"))
      << ::testing::PrintToString(h);
  EXPECT_TRUE(has("/c.yaml:13:21: error: `limits.max_record_bytes` must be a size"))
      << ::testing::PrintToString(h);
  EXPECT_TRUE(has("/c.yaml:14:3: error: unknown key `max_cats` in limits")) << ::testing::PrintToString(h);
}

TEST(RecordLimits, DropsParagraphsPastTheLimit) {
  RecordText t{"Title", {"a", "b", "c", "d"}};
  auto tripped = apply_record_limits(t, {2, 1024});
  EXPECT_EQ(t.paragraphs, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(tripped.size(), 1u);
  EXPECT_STREQ(tripped[0], "max_paragraphs");
}

TEST(RecordLimits, CutsAtAParagraphBoundary) {
  RecordText t{"Title", {std::string(40, 'a'), std::string(40, 'b'), std::string(40, 'c')}};
  // "Title" + 2 + 40 + 2 + 40 = 89 bytes fit in 100; the third paragraph does
  // not.
  auto tripped = apply_record_limits(t, {2000, 100});
  ASSERT_EQ(t.paragraphs.size(), 2u);
  EXPECT_EQ(t.paragraphs[1], std::string(40, 'b'));
  ASSERT_EQ(tripped.size(), 1u);
  EXPECT_STREQ(tripped[0], "max_record_bytes");
  EXPECT_LE(t.title.size() + 2 + t.body().size(), 100u);
}

TEST(RecordLimits, CutsAHugeFirstParagraphAtACharacterBoundary) {
  std::string cyrillic;
  for (int i = 0; i < 100; ++i) cyrillic += "\xd0\x96";  // Ж, two bytes each
  RecordText t{"T", {cyrillic}};
  apply_record_limits(t, {2000, 50});
  ASSERT_EQ(t.paragraphs.size(), 1u);
  EXPECT_LE(1 + 2 + t.paragraphs[0].size(), 50u);
  EXPECT_EQ(t.paragraphs[0].size() % 2, 0u);  // no half character
  EXPECT_FALSE(t.paragraphs[0].empty());
}

TEST(RecordLimits, LeavesASmallRecordAlone) {
  RecordText t{"Title", {"one", "two"}};
  auto before = t;
  EXPECT_TRUE(apply_record_limits(t, {}).empty());
  EXPECT_EQ(t, before);
}

}  // namespace
}  // namespace wirewatch::daemon
