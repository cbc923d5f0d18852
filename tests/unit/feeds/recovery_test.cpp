// Feeds that are not well-formed: what is recovered, and that it is marked bozo.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "wirewatch/connectors/feed_parser.hpp"
#include "wirewatch/connectors/opml.hpp"

using namespace wirewatch;
using namespace wirewatch::connectors;
using wirewatch::test::feed_fixture;

namespace {

std::vector<std::string> titles(const ParsedFeed& f) {
  std::vector<std::string> out;
  for (const auto& e : f.entries) out.push_back(e.title);
  return out;
}

// Deterministic pseudo-random bytes.
std::string random_bytes(std::uint32_t seed, std::size_t n, std::string_view alphabet = {}) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    out += alphabet.empty() ? static_cast<char>(seed >> 24) : alphabet[(seed >> 16) % alphabet.size()];
  }
  return out;
}

}  // namespace

TEST(FeedRecovery, UndeclaredHtmlEntities) {
  const auto f = parse_feed(feed_fixture("entities.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.error, "undefined entity &nbsp; at line 4, column 20");
  EXPECT_EQ(f.feed.title, "Entities — undeclared");
  ASSERT_EQ(f.entries.size(), 2u);
  // known HTML entities decoded; an unknown one kept as written; numeric ones decoded
  EXPECT_EQ(f.entries[0].title, "Café «Minsk» … ©2024 &unknownentity; — A");
  EXPECT_EQ(f.entries[0].link, "http://example.com/cafe?a=1&b=2");
  EXPECT_EQ(f.entries[0].summary, "CDATA keeps &nbsp; as written");
}

TEST(FeedRecovery, StrayAmpersands) {
  const auto f = parse_feed(feed_fixture("stray-ampersand.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.error, "not well-formed: stray '&' at line 4, column 16");
  EXPECT_EQ(f.feed.title, "Tom & Jerry News");
  EXPECT_EQ(f.feed.link, "http://example.com/?a=1&b=2");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Q&A: AT&T and R&D");
  EXPECT_EQ(f.entries[0].link, "http://example.com/item?x=1&y=2&copy=3");
  EXPECT_EQ(f.entries[0].guid, "item-&-1");
}

TEST(FeedRecovery, ControlCharacters) {
  const auto f = parse_feed(feed_fixture("control-chars.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.error, "not well-formed: control character U+000B at line 4, column 19");
  EXPECT_EQ(f.feed.title, "Control characters");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Bell and NUL");
  EXPECT_EQ(f.entries[0].summary, "In CDATA too");
}

TEST(FeedRecovery, UnclosedTags) {
  const auto f = parse_feed(feed_fixture("unclosed.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_TRUE(f.error.starts_with("not well-formed: ")) << f.error;
  EXPECT_EQ(titles(f), (std::vector<std::string>{"First item", "Second item", "Third item"}));
  EXPECT_EQ(f.entries[0].summary, "Raw <b>HTML with <br/> and an unclosed <i>tag</i></b>");
  EXPECT_EQ(f.entries[1].link, "http://example.com/2");  // the unclosed <title> ends at <link>
  EXPECT_EQ(f.entries[2].summary, "1 < 2 and a end tag");
}

TEST(FeedRecovery, TruncatedXml) {
  const auto f = parse_feed(feed_fixture("truncated.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title, "Complete item");
  EXPECT_EQ(f.entries[1].title, "Cut off item");
  EXPECT_EQ(f.entries[1].summary, "This body stops in the mid");
}

TEST(FeedRecovery, TruncatedAtEveryByte) {
  // Every prefix of a feed parses without a crash; a longer prefix never yields fewer items.
  const std::string full = feed_fixture("rss20.xml");
  std::size_t last = 0;
  for (std::size_t n = 0; n <= full.size(); n += 7) {
    const auto f = parse_feed(std::string_view(full).substr(0, n));
    EXPECT_GE(f.entries.size() + 1, last) << n;  // the cut item may vanish when cut inside its guid
    last = f.entries.size();
    if (n < full.size() - 20 && f.ok()) {
      EXPECT_TRUE(f.bozo) << n;
    }
  }
  EXPECT_EQ(parse_feed(full).entries.size(), 4u);
}

TEST(FeedRecovery, TruncatedJsonKeepsCompletedItems) {
  const auto f = parse_feed(feed_fixture("truncated.json"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_TRUE(f.error.starts_with("not well-formed JSON: ")) << f.error;
  EXPECT_EQ(f.format, FeedFormat::json11);
  EXPECT_EQ(titles(f), std::vector<std::string>{"Complete"});
}

TEST(FeedRecovery, UndeclaredNamespacePrefix) {
  const auto f = parse_feed(feed_fixture("undeclared-prefix.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.error, "undeclared namespace prefix dc:");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].authors, std::vector<std::string>{"Undeclared Author"});
  EXPECT_TRUE(f.entries[0].updated);
}

TEST(FeedRecovery, InternalEntitiesButNeverExternalOnes) {
  const auto f = parse_feed(feed_fixture("doctype-entities.xml"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f.feed.title, "Example News — internal entities");
  ASSERT_EQ(f.entries.size(), 1u);
  // the SYSTEM entity is never loaded, the nested one never expanded
  EXPECT_EQ(f.entries[0].title, "Secret: &secret; laughs: &lol2;");
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.error, "undefined entity &secret; at line 14, column 22");
}

TEST(FeedRecovery, NothingRecoverable) {
  const std::pair<const char*, const char*> cases[] = {
      {"empty.xml", "empty document"},
      {"html-page.html", "not a feed: the document element is <html>"},
      {"not-a-feed.xml", "not a feed: the document element is <config>"},
  };
  for (const auto& [file, error] : cases) {
    const auto f = parse_feed(feed_fixture(file));
    EXPECT_FALSE(f.ok()) << file;
    EXPECT_TRUE(f.bozo) << file;
    EXPECT_EQ(f.format, FeedFormat::unknown) << file;
    EXPECT_EQ(f.error, error) << file;
    EXPECT_TRUE(f.entries.empty()) << file;
  }
  EXPECT_FALSE(parse_feed("<rss version=\"2.0\"><chan").ok());
  EXPECT_FALSE(parse_feed("{\"version\": \"https://jsonfeed.org/version/1\", \"ti").ok());
  EXPECT_FALSE(parse_feed("{\"not\": \"a feed\"}").ok());
  EXPECT_FALSE(parse_feed("[1, 2, 3]").ok());
  EXPECT_FALSE(parse_feed("   \n\t ").ok());
}

TEST(FeedGarbage, XmlParserNeverThrowsNorCrashes) {
  const auto f = parse_feed(feed_fixture("garbage.bin"));
  EXPECT_FALSE(f.ok());
  EXPECT_FALSE(f.error.empty());
  // markup-like garbage, including inside a feed
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    const std::string noise = random_bytes(seed, 300, "<>/&;#x=\"' abcitemtle![CDATA[]]-?:\x01\xd0\xb0");
    const auto a = parse_feed(noise);
    const auto b = parse_feed("<rss version=\"2.0\"><channel><title>t</title><item><title>" + noise);
    EXPECT_TRUE(a.ok() || !a.error.empty());
    EXPECT_TRUE(b.ok()) << b.error;  // the feed's own title survives any tail
  }
}

TEST(FeedGarbage, JsonParserNeverThrowsNorCrashes) {
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    const std::string noise = random_bytes(seed, 200, "{}[]\":,0123456789.eE-+truefalsnl \\u\xff");
    const auto a = parse_feed("{" + noise);
    EXPECT_TRUE(a.ok() || !a.error.empty());
    const auto b =
        parse_feed("{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"t\",\"items\":[" + noise);
    EXPECT_TRUE(b.ok()) << b.error;
    EXPECT_TRUE(b.bozo || b.entries.size() <= 200);
  }
}

TEST(FeedGarbage, DeepNestingIsBounded) {
  std::string deep_json(100000, '[');
  EXPECT_FALSE(parse_feed(deep_json).ok());
  const auto nested = parse_feed("{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"t\",\"x\":" +
                                 std::string(1000, '[') + std::string(1000, ']') + "}");
  EXPECT_TRUE(nested.ok());
  EXPECT_EQ(nested.error, "not well-formed JSON: nested deeper than 64 levels");
  std::string deep_xml = "<rss version=\"2.0\"><channel><title>t</title>";
  for (int i = 0; i < 20000; ++i) deep_xml += "<a>";
  const auto f = parse_feed(deep_xml);
  EXPECT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  // raw markup nested deep inside a field is cut at a fixed depth, not followed
  std::string deep_field = "<rss version=\"2.0\"><channel><item><title>x</title><description>";
  for (int i = 0; i < 200000; ++i) deep_field += "<b>";
  deep_field += "deep";
  for (int i = 0; i < 200000; ++i) deep_field += "</b>";
  deep_field += "</description></item></channel></rss>";
  const auto g = parse_feed(deep_field);
  ASSERT_EQ(g.entries.size(), 1u);
  EXPECT_FALSE(g.bozo);
  EXPECT_LT(g.entries[0].summary.size(), 2000u);
}

TEST(FeedGarbage, OpmlParserNeverThrows) {
  EXPECT_FALSE(parse_opml(feed_fixture("garbage.bin")).ok());
  for (std::uint32_t seed = 1; seed <= 100; ++seed) {
    const auto r = parse_opml("<opml><body>" + random_bytes(seed, 300, "<>/=\"' outlinexmlUrlhttp:"));
    EXPECT_TRUE(r.ok());
  }
}
