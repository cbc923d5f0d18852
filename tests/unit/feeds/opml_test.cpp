#include "wirewatch/connectors/opml.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"

using namespace wirewatch::connectors;

TEST(Opml, FeedsFoldersAndDuplicates) {
  const auto r = parse_opml(wirewatch::test::feed_fixture("subscriptions.opml"));
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.feeds.size(), 4u);
  EXPECT_EQ(r.feeds[0].title, "BelTA — News");
  EXPECT_EQ(r.feeds[0].xml_url, "https://www.belta.example/rss");
  EXPECT_EQ(r.feeds[0].html_url, "https://www.belta.example/");
  EXPECT_EQ(r.feeds[0].category, "Belarus");
  EXPECT_EQ(r.feeds[1].title, "Наша Ніва");
  EXPECT_EQ(r.feeds[1].category, "Belarus / Independent");
  EXPECT_EQ(r.feeds[2].title, "");  // no text or title
  EXPECT_EQ(r.feeds[3].xml_url, "http://example.com/a?x=1&y=2");
}

TEST(Opml, NotOpml) {
  EXPECT_EQ(parse_opml("<rss version=\"2.0\"/>").error, "not OPML: the document element is <rss>");
  EXPECT_EQ(parse_opml("<opml version=\"2.0\"><head/></opml>").error, "not OPML: no <body>");
  EXPECT_FALSE(parse_opml("").ok());
}

TEST(Opml, BrokenOpmlIsRecovered) {
  const auto r = parse_opml(
      "<opml><body><outline text=\"A &nbsp;& B\" xmlUrl=\"http://a.example/rss\">"
      "<outline text=\"C\" xmlUrl=\"http://c.example/rss\"");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.feeds.size(), 1u);  // the truncated last outline is dropped
  EXPECT_EQ(r.feeds[0].title, "A & B");
}

TEST(Opml, Slugs) {
  EXPECT_EQ(source_slug("BelTA — News", ""), "belta-news");
  EXPECT_EQ(source_slug("  Radio Svaboda (RFE/RL) ", ""), "radio-svaboda-rfe-rl");
  EXPECT_EQ(source_slug("Наша Ніва", "https://www.nashaniva.example/rss/"), "nashaniva-example-rss");
  EXPECT_EQ(source_slug("", ""), "feed");
  EXPECT_EQ(source_slug(std::string(100, 'a'), "").size(), 48u);
}

TEST(Opml, SourcesYaml) {
  std::vector<OpmlFeed> feeds = {{"BelTA", "https://belta.example/rss", "", "Belarus"},
                                 {"BelTA", "https://belta.example/rss2", "", ""},
                                 {"Quote \"me\"", "https://q.example/?a=\"b\"", "", ""}};
  EXPECT_EQ(sources_yaml(feeds, "opml-"),
            "sources:\n"
            "  # BelTA (Belarus)\n"
            "  - id: opml-belta\n"
            "    type: feed\n"
            "    url: \"https://belta.example/rss\"\n"
            "    interval: 5m\n"
            "    articles: false\n"
            "  # BelTA\n"
            "  - id: opml-belta-2\n"
            "    type: feed\n"
            "    url: \"https://belta.example/rss2\"\n"
            "    interval: 5m\n"
            "    articles: false\n"
            "  # Quote \"me\"\n"
            "  - id: opml-quote-me\n"
            "    type: feed\n"
            "    url: \"https://q.example/?a=\\\"b\\\"\"\n"
            "    interval: 5m\n"
            "    articles: false\n");
  EXPECT_EQ(sources_yaml({}, "x"), "sources: []\n");
}
