#include "wirewatch/connectors/charset.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"
#include "wirewatch/connectors/feed_parser.hpp"

using namespace wirewatch::connectors;
using wirewatch::test::feed_fixture;

namespace {

constexpr std::string_view kFeedTitle = "Минобороны Беларуси: учения Запад-2025";
constexpr std::string_view kItemTitle = "Вагнер и инструкторы на полигоне";

void expect_cyrillic_feed(const ParsedFeed& f) {
  ASSERT_TRUE(f.ok()) << f.error;
  EXPECT_EQ(f.format, FeedFormat::rss20);
  EXPECT_EQ(f.feed.title, kFeedTitle);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, kItemTitle);
  EXPECT_EQ(f.entries[0].link, "http://example.by/1");
}

}  // namespace

TEST(FeedCharset, NormalizesNames) {
  EXPECT_EQ(normalize_charset(" \"CP1251\" "), "windows-1251");
  EXPECT_EQ(normalize_charset("UTF8"), "utf-8");
  EXPECT_EQ(normalize_charset("ISO-8859-1"), "windows-1252");
  EXPECT_EQ(normalize_charset("KOI8R"), "koi8-r");
  EXPECT_EQ(normalize_charset("us-ascii"), "utf-8");
  EXPECT_EQ(normalize_charset("ISO-8859-5"), "iso-8859-5");
}

TEST(FeedCharset, ContentTypeCharset) {
  EXPECT_EQ(charset_from_content_type("application/rss+xml; charset=windows-1251"), "windows-1251");
  EXPECT_EQ(charset_from_content_type("text/xml;Charset=\"KOI8-R\"; foo=bar"), "KOI8-R");
  EXPECT_EQ(charset_from_content_type("application/xml"), "");
}

TEST(FeedCharset, XmlDeclaration) {
  EXPECT_EQ(xml_declared_encoding("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss/>"), "windows-1251");
  EXPECT_EQ(xml_declared_encoding("\n  <?xml version='1.0' encoding = 'KOI8-R' ?>"), "KOI8-R");
  EXPECT_EQ(xml_declared_encoding("<?xml version=\"1.0\"?><rss/>"), "");
  EXPECT_EQ(xml_declared_encoding("<rss encoding=\"x\"/>"), "");
}

TEST(FeedCharset, Utf8Validation) {
  EXPECT_TRUE(is_utf8("plain ascii text that is long enough for the fast path"));
  EXPECT_TRUE(is_utf8("Беларусь"));
  EXPECT_FALSE(is_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_utf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(is_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(FeedCharset, ConvertsWithIconv) {
  EXPECT_EQ(convert_to_utf8("\xcc\xe8\xed\xf1\xea", "windows-1251").value_or("?"), "Минск");
  EXPECT_EQ(convert_to_utf8("\xed\xc9\xce\xd3\xcb", "koi8-r").value_or("?"), "Минск");
  EXPECT_FALSE(convert_to_utf8("abc", "no-such-charset"));
  EXPECT_FALSE(convert_to_utf8("\xff\xfe", "utf-8"));
}

TEST(FeedCharset, WindowsAndKoiDeclaredInXml) {
  expect_cyrillic_feed(parse_feed(feed_fixture("cp1251-declared.xml")));
  expect_cyrillic_feed(parse_feed(feed_fixture("koi8r-declared.xml")));
  expect_cyrillic_feed(parse_feed(feed_fixture("iso8859-5-declared.xml")));
  EXPECT_EQ(parse_feed(feed_fixture("koi8r-declared.xml")).charset, "koi8-r");
  EXPECT_FALSE(parse_feed(feed_fixture("cp1251-declared.xml")).bozo);
}

TEST(FeedCharset, HttpCharsetWhenTheDocumentDeclaresNone) {
  FeedParseOptions o;
  o.http_charset = "windows-1251";
  const auto f = parse_feed(feed_fixture("cp1251-undeclared.xml"), o);
  expect_cyrillic_feed(f);
  EXPECT_FALSE(f.bozo);
  // also through the Content-Type alone
  FeedParseOptions ct;
  ct.content_type = "application/rss+xml; charset=windows-1251";
  expect_cyrillic_feed(parse_feed(feed_fixture("cp1251-undeclared.xml"), ct));
}

TEST(FeedCharset, HttpCharsetOverridesTheDeclaration) {
  // bytes are KOI8-R and say so; a (correct) HTTP charset wins over a wrong declaration
  std::string bytes = feed_fixture("koi8r-declared.xml");
  const auto pos = bytes.find("KOI8-R");
  ASSERT_NE(pos, std::string::npos);
  bytes.replace(pos, 6, "windows-1251");
  FeedParseOptions o;
  o.http_charset = "koi8-r";
  expect_cyrillic_feed(parse_feed(bytes, o));
}

TEST(FeedCharset, ByteOrderMarkBeatsEverything) {
  FeedParseOptions o;
  o.http_charset = "windows-1251";  // wrong, but the BOM decides
  expect_cyrillic_feed(parse_feed(feed_fixture("utf16le-bom.xml"), o));
  expect_cyrillic_feed(parse_feed(feed_fixture("utf16be-bom.xml")));
  expect_cyrillic_feed(parse_feed(feed_fixture("utf8-bom.xml"), o));
}

TEST(FeedCharset, Utf16WithoutBomByItsPattern) {
  const auto f = parse_feed(feed_fixture("utf16le-nobom.xml"));
  expect_cyrillic_feed(f);
  EXPECT_EQ(f.charset, "utf-16le");
}

TEST(FeedCharset, MislabeledCyrillicIsRecoveredAndBozo) {
  const auto f = parse_feed(feed_fixture("cp1251-mislabeled.xml"));
  expect_cyrillic_feed(f);
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.error, "document declared as utf-8, but parsed as windows-1251");
}

TEST(FeedCharset, MostlyUtf8KeepsUtf8AndReplacesBadBytes) {
  const std::string bytes = "<rss version=\"2.0\"><channel><title>Минск \xff ok</title></channel></rss>";
  const auto f = parse_feed(bytes);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.feed.title, "Минск \xEF\xBF\xBD ok");
}

TEST(FeedCharset, LatinFallbackIsWindows1252) {
  const std::string bytes =
      "<rss version=\"2.0\"><channel><title>Caf\xe9 \x93quoted\x94</title></channel></rss>";
  const auto f = parse_feed(bytes);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f.feed.title, "Café “quoted”");
  EXPECT_EQ(f.charset, "windows-1252");
}

TEST(FeedCharset, GarbageNeverThrows) {
  std::uint32_t x = 7;
  for (int round = 0; round < 300; ++round) {
    std::string bytes;
    for (int i = 0; i < 200; ++i) {
      x = x * 1664525u + 1013904223u;
      bytes += static_cast<char>(x >> 24);
    }
    const auto d = decode_to_utf8(bytes, {round % 2 ? "koi8-r" : "", true});
    EXPECT_TRUE(is_utf8(d.text));
  }
}
