// Every feed format and extension, on the fixture files.
#include "wirewatch/connectors/feed_parser.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"

using namespace wirewatch;
using namespace wirewatch::connectors;
using wirewatch::test::feed_fixture;

namespace {

ParsedFeed parse(const std::string& name, const std::string& url = {}) {
  FeedParseOptions o;
  o.base_url = url;
  o.feed_id = "test";
  return parse_feed(feed_fixture(name), o);
}

std::string utc(const std::optional<TimePoint>& t) { return t ? format_utc(*t) : "none"; }

}  // namespace

TEST(FeedFormat, VersionNamesAreFeedparsers) {
  const std::pair<const char*, const char*> cases[] = {
      {"rss090.rdf", "rss090"}, {"rss091n.xml", "rss091n"},  {"rss091u.xml", "rss091u"},
      {"rss092.xml", "rss092"}, {"rss093.xml", "rss093"},    {"rss094.xml", "rss094"},
      {"rss20.xml", "rss20"},   {"rss10.rdf", "rss10"},      {"rss-noversion.xml", "rss"},
      {"atom03.xml", "atom03"}, {"atom10.xml", "atom10"},    {"atom-noversion.xml", "atom"},
      {"channel.cdf", "cdf"},   {"jsonfeed1.json", "json1"}, {"jsonfeed11.json", "json11"},
  };
  for (const auto& [file, format] : cases) {
    const auto f = parse(file);
    EXPECT_TRUE(f.ok()) << file << ": " << f.error;
    EXPECT_EQ(format_name(f.format), format) << file;
    EXPECT_FALSE(f.bozo) << file << ": " << f.error;
    EXPECT_FALSE(f.entries.empty()) << file;
  }
}

TEST(Rss090, ChannelAndItems) {
  const auto f = parse("rss090.rdf");
  EXPECT_EQ(f.feed.title, "Mozilla Dot Org");
  EXPECT_EQ(f.feed.link, "http://www.mozilla.org");
  ASSERT_EQ(f.entries.size(), 2u);  // the <image> is not an item
  EXPECT_EQ(f.entries[1].title, "Bugzilla Reorganized");
  EXPECT_EQ(f.entries[1].link, "http://www.mozilla.org/bugs/");
}

TEST(Rss091n, NetscapeEntitiesAreDeclared) {
  const auto f = parse("rss091n.xml");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Giving the world a pluggable Gnutella édition");
  EXPECT_FALSE(f.bozo);
  EXPECT_EQ(f.feed.language, "en-us");
}

TEST(Rss09x, DescriptionOnlyItems) {
  const auto f = parse("rss094.xml");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "");
  EXPECT_EQ(f.entries[0].summary, "An item with only a description, as RSS 0.94 allows.");
  const auto u = parse("rss091u.xml");
  EXPECT_EQ(utc(u.feed.updated), "2002-09-30T11:00:00Z");
}

TEST(Rss20, ChannelMetadataAndXmlBase) {
  const auto f = parse("rss20.xml", "https://news.example.by/rss.xml");
  EXPECT_EQ(f.feed.title, "Новости обороны & безопасности");
  EXPECT_EQ(f.feed.link, "https://news.example.by/");  // "/" against xml:base, not atom:link rel=self
  EXPECT_EQ(f.feed.description, "Ежедневная лента");
  EXPECT_EQ(f.feed.language, "ru-RU");
  EXPECT_EQ(utc(f.feed.updated), "2024-03-05T07:00:00Z");
  ASSERT_EQ(f.entries.size(), 4u);
}

TEST(Rss20, ItemWithEveryExtension) {
  const auto f = parse("rss20.xml");
  const FeedItem& a = f.entries.at(0);
  EXPECT_EQ(a.feed_id, "test");
  EXPECT_EQ(a.guid, "news-1001");
  // a double-escaped entity in a title is decoded to plain text
  EXPECT_EQ(a.title, "Вагнер & инструкторы: учения под Брестом");
  EXPECT_EQ(a.link, "https://news.example.by/ru/news/2024/03/05/wagner.html");
  EXPECT_EQ(utc(a.published), "2024-03-05T06:15:00Z");
  // summary and content keep their HTML; relative links in them are resolved
  EXPECT_EQ(a.summary,
            "<p>Краткое <b>описание</b> с <a href=\"https://news.example.by/tags/wagner\">ссылкой</a>.</p>");
  EXPECT_EQ(a.content, "<p>Полный текст.</p><img src=\"https://news.example.by/ru/img/1.jpg\">");
  EXPECT_EQ(a.authors, std::vector<std::string>{"Иван Петров"});  // dc:creator under another prefix
  EXPECT_EQ(a.categories, (std::vector<std::string>{"Армия", "Беларусь"}));  // category + dc:subject
}

TEST(Rss20, MediaFallbacksPermalinkGuidAndDcDate) {
  const auto f = parse("rss20.xml");
  const FeedItem& b = f.entries.at(1);
  EXPECT_EQ(b.title, "A title only in media:title");
  EXPECT_EQ(b.summary, "The description from media:group.");
  EXPECT_EQ(b.guid, "https://news.example.by/ru/news/1002");
  EXPECT_EQ(b.link, "https://news.example.by/ru/news/1002");  // a permalink guid is the link
  EXPECT_FALSE(b.published);
  EXPECT_EQ(utc(b.updated), "2024-03-05T05:00:00Z");  // dc:date is "updated", as in feedparser
  EXPECT_EQ(utc(b.date()), "2024-03-05T05:00:00Z");
  EXPECT_EQ(b.authors, std::vector<std::string>{"editor@example.by (Editor)"});
  const FeedItem& c = f.entries.at(2);
  EXPECT_EQ(c.title, "Third item");  // escaped HTML in a title is stripped
  EXPECT_EQ(c.link, "https://other.example.com/abs");
  EXPECT_EQ(utc(c.published), "2024-03-04T23:59:00Z");
}

TEST(Rss10, RdfItemsDcAndContent) {
  const auto f = parse("rss10.rdf");
  EXPECT_EQ(f.feed.title, "DW (русский)");
  EXPECT_EQ(f.feed.language, "ru");
  EXPECT_EQ(utc(f.feed.updated), "2024-03-05T12:00:00Z");
  ASSERT_EQ(f.entries.size(), 2u);
  const FeedItem& a = f.entries[0];
  EXPECT_EQ(a.guid, "https://www.dw.example/ru/a-1");  // rdf:about
  EXPECT_EQ(a.title, "Учения в Беларуси");
  EXPECT_EQ(utc(a.updated), "2024-03-05T10:30:00Z");
  EXPECT_EQ(a.authors, std::vector<std::string>{"DW"});
  EXPECT_EQ(a.categories, std::vector<std::string>{"Политика"});
  EXPECT_EQ(f.entries[1].content, "<p>Encoded &amp; escaped</p>");
}

TEST(Atom10, XmlBaseAtEveryLevel) {
  const auto f = parse("atom10.xml", "https://ignored.example/feed");
  EXPECT_EQ(f.feed.title, "Example Blog & news");
  EXPECT_EQ(f.feed.link, "https://example.org/blog/");  // rel=self skipped
  EXPECT_EQ(f.feed.language, "be");
  EXPECT_EQ(f.feed.description, "Всё о главном");
  ASSERT_EQ(f.entries.size(), 2u);
  const FeedItem& a = f.entries[0];
  EXPECT_EQ(a.link,
            "https://example.org/blog/2024/03/robots.html");  // entry's xml:base, alternate over enclosure
  EXPECT_EQ(
      a.content,
      "<p>This is <b>XHTML</b> with <a href=\"https://example.org/blog/2024/other.html\">a link</a>.</p>");
  EXPECT_EQ(f.entries[1].link, "https://example.org/absolute-path");
  EXPECT_EQ(f.entries[1].content, "<p>HTML content with <img src=\"https://example.org/blog/pic.png\"></p>");
}

TEST(Atom10, EntryFields) {
  const auto f = parse("atom10.xml");
  const FeedItem& a = f.entries.at(0);
  EXPECT_EQ(a.guid, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
  EXPECT_EQ(a.title, "Atom-Powered Robots Run Amok");
  EXPECT_EQ(utc(a.published), "2024-03-05T08:00:00Z");
  EXPECT_EQ(utc(a.updated), "2024-03-05T11:00:00Z");
  EXPECT_EQ(a.authors, (std::vector<std::string>{"John Doe", "jane@example.org"}));
  EXPECT_EQ(a.categories, (std::vector<std::string>{"robots", "Only a label"}));
  EXPECT_EQ(a.summary, "Some text & more.");
  EXPECT_EQ(f.entries.at(1).title, "An XHTML title");
}

TEST(Atom03, ModesAndDates) {
  const auto f = parse("atom03.xml");
  EXPECT_EQ(f.feed.title, "dive into mark");
  EXPECT_EQ(f.feed.description, "A <em>lot</em> of effort went into making this effortless");
  EXPECT_EQ(utc(f.feed.updated), "2003-12-13T18:30:02Z");
  EXPECT_EQ(f.feed.language, "en");
  ASSERT_EQ(f.entries.size(), 2u);
  const FeedItem& a = f.entries[0];
  EXPECT_EQ(a.link, "http://diveintomark.org/2003/12/13/atom03");
  EXPECT_EQ(utc(a.published), "2003-12-13T12:29:29Z");  // issued
  EXPECT_EQ(utc(a.updated), "2003-12-13T18:30:02Z");    // modified
  EXPECT_EQ(a.content, "<p><i>[Update: The Atom draft is finished.]</i></p>");
  EXPECT_EQ(a.authors, std::vector<std::string>{"Mark Pilgrim"});
  EXPECT_EQ(f.entries[1].title, "Base64 title");                   // mode="base64"
  EXPECT_EQ(utc(f.entries[1].published), "2003-12-14T10:00:00Z");  // created
}

TEST(Cdf, ChannelItemsAndNestedChannels) {
  const auto f = parse("channel.cdf");
  EXPECT_EQ(f.feed.title, "CDF Channel");
  EXPECT_EQ(f.feed.link, "http://www.example.com/cdf/index.html");
  EXPECT_EQ(f.feed.description, "A Channel Definition Format channel");
  EXPECT_EQ(utc(f.feed.updated), "1998-11-05T22:12:00Z");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title, "First CDF item");
  EXPECT_EQ(f.entries[0].summary, "The first item");
  EXPECT_EQ(f.entries[1].link, "http://www.example.com/cdf/item2.html");
}

TEST(JsonFeed, Version1) {
  const auto f = parse("jsonfeed1.json");
  EXPECT_EQ(f.feed.title, "JSON Feed 1.0");
  EXPECT_EQ(f.feed.link, "https://example.org/");
  EXPECT_EQ(f.feed.description, "A feed in JSON");
  ASSERT_EQ(f.entries.size(), 2u);
  const FeedItem& a = f.entries[0];
  EXPECT_EQ(a.guid, "2");
  EXPECT_EQ(a.title, "Second & item");
  EXPECT_EQ(a.content, "<p>Hello, <a href=\"https://example.org/world\">world</a>!</p>");
  EXPECT_EQ(a.summary, "A summary");
  EXPECT_EQ(utc(a.published), "2024-03-05T16:00:00Z");
  EXPECT_EQ(a.authors, std::vector<std::string>{"Item Author"});
  EXPECT_EQ(a.categories, (std::vector<std::string>{"army", "belarus"}));
  const FeedItem& b = f.entries[1];
  EXPECT_EQ(b.guid, "1");                               // a numeric id as a string
  EXPECT_EQ(b.link, "https://example.org/first-item");  // relative to feed_url
  EXPECT_EQ(b.content, "Plain text only.");
  EXPECT_EQ(utc(b.updated), "2024-03-04T09:00:00Z");
}

TEST(JsonFeed, Version11) {
  const auto f = parse("jsonfeed11.json");
  EXPECT_EQ(f.feed.language, "ru");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].link, "https://elsewhere.example/story");  // external_url when no url
  EXPECT_EQ(f.entries[0].authors, (std::vector<std::string>{"Анна", "Борис"}));
}

TEST(FeedDates, EveryVariantInAFeed) {
  const auto f = parse("dates.xml");
  ASSERT_EQ(f.entries.size(), 17u);
  for (const auto& e : f.entries) EXPECT_EQ(utc(e.date()), e.title);
}

TEST(FeedLinks, RelativeLinksNeedABase) {
  const std::string feed =
      "<rss version=\"2.0\"><channel><title>t</title><link>/home</link>"
      "<item><title>a</title><link>../a.html</link></item></channel></rss>";
  const auto without = parse_feed(feed);
  EXPECT_EQ(without.entries.at(0).link, "../a.html");  // nothing to resolve against: kept as given
  FeedParseOptions o;
  o.base_url = "https://example.com/feeds/rss/main.xml";
  const auto with = parse_feed(feed, o);
  EXPECT_EQ(with.feed.link, "https://example.com/home");
  EXPECT_EQ(with.entries.at(0).link, "https://example.com/feeds/a.html");
}

TEST(FeedLinks, SchemeRelativeAndQueryOnly) {
  FeedParseOptions o;
  o.base_url = "https://example.com/news/feed.xml?x=1";
  const auto f = parse_feed(
      "<rss version=\"2.0\"><channel><title>t</title>"
      "<item><title>a</title><link>//cdn.example.net/a</link></item>"
      "<item><title>b</title><link>?page=2</link></item>"
      "<item><title>c</title><link>mailto:x@example.com</link></item></channel></rss>",
      o);
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].link, "https://cdn.example.net/a");
  EXPECT_EQ(f.entries[1].link, "https://example.com/news/feed.xml?page=2");
  EXPECT_EQ(f.entries[2].link, "mailto:x@example.com");
}

TEST(FeedText, TitlesArePlainTextSummariesKeepHtml) {
  const auto f = parse_feed(
      "<rss version=\"2.0\"><channel><title>t</title><item>"
      "<title>  Line\n  break &amp;lt;tag&amp;gt; &lt;b&gt;bold&lt;/b&gt;&#160;end </title>"
      "<description>&lt;p&gt;a &amp;amp; b&lt;/p&gt;</description>"
      "<category> Spaced   category </category></item></channel></rss>");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Line break <tag> bold end");
  EXPECT_EQ(f.entries[0].summary, "<p>a &amp; b</p>");
  EXPECT_EQ(f.entries[0].categories, std::vector<std::string>{"Spaced category"});
}

TEST(FeedText, EmptyItemsAreDropped) {
  const auto f = parse_feed(
      "<rss version=\"2.0\"><channel><title>t</title><item/><item> </item>"
      "<item><title>kept</title></item></channel></rss>");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "kept");
}

TEST(FeedFormats, ContentTypeHintsJsonAndSniffsAnyway) {
  FeedParseOptions o;
  o.content_type = "application/feed+json";
  EXPECT_EQ(parse_feed(feed_fixture("jsonfeed1.json"), o).format, FeedFormat::json1);
  o.content_type = "text/html";  // wrong type: the bytes decide
  EXPECT_EQ(parse_feed(feed_fixture("atom10.xml"), o).format, FeedFormat::atom10);
  EXPECT_EQ(parse_feed(feed_fixture("jsonfeed1.json"), o).format, FeedFormat::json1);
}
