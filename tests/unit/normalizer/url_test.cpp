#include "wirewatch/normalizer/url.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(Url, CanonicalizesSchemeHostPortFragment) {
  EXPECT_EQ(canonicalize_url("HTTPS://Example.COM:443/a/../b?id=7#top").value(),
            "https://example.com/b?id=7");
  EXPECT_EQ(canonicalize_url("http://example.com:80").value(), "http://example.com/");
  EXPECT_EQ(canonicalize_url("http://example.com:8080/x").value(), "http://example.com:8080/x");
  EXPECT_EQ(canonicalize_url("  https://news.example.org./story  ").value(),
            "https://news.example.org/story");
}

// Found by fuzzing: "123." lost its dot and was kept as host "123", which the next
// parse reads as the IPv4 address 0.0.0.123, so the canonical form was not a fixed point.
TEST(Url, CanonicalFormIsAFixedPoint) {
  for (const char* url : {"https://123./a", "http://0x7f.1./", "https://Example.COM./x?utm_source=a"}) {
    auto once = canonicalize_url(url);
    ASSERT_TRUE(once) << url;
    EXPECT_EQ(canonicalize_url(*once), once) << url;
  }
}

TEST(Url, RemovesTrackingParameters) {
  EXPECT_EQ(canonicalize_url("https://example.com/s?utm_source=rss&id=3&utm_medium=feed&fbclid=abc").value(),
            "https://example.com/s?id=3");
  EXPECT_EQ(
      canonicalize_url("https://example.com/s?gclid=1&yclid=2&mc_cid=3&mc_eid=4&UTM_Campaign=x").value(),
      "https://example.com/s");
  EXPECT_EQ(canonicalize_url("https://example.com/s?page=2&ref=home").value(),
            "https://example.com/s?page=2&ref=home");
  EXPECT_TRUE(is_tracking_parameter("utm_content"));
  EXPECT_TRUE(is_tracking_parameter("MSCLKID"));
  EXPECT_FALSE(is_tracking_parameter("id"));
}

TEST(Url, OneArticleThroughTwoLinksIsOneUrl) {
  EXPECT_EQ(canonicalize_url("https://WWW.example.com/a?utm_source=twitter#comments"),
            canonicalize_url("https://www.example.com:443/a"));
}

TEST(Url, RejectsWhatIsNotAnHttpUrl) {
  EXPECT_FALSE(canonicalize_url("").has_value());
  EXPECT_FALSE(canonicalize_url("/relative/path").has_value());
  EXPECT_FALSE(canonicalize_url("ftp://example.com/file").has_value());
  EXPECT_FALSE(canonicalize_url("mailto:someone@example.com").has_value());
}

TEST(Url, ResolvesRelativeReferences) {
  const std::string base = "https://example.com/news/2024/story.html?x=1#f";
  EXPECT_EQ(resolve_url(base, "other.html").value(), "https://example.com/news/2024/other.html");
  EXPECT_EQ(resolve_url(base, "../index.html").value(), "https://example.com/news/index.html");
  EXPECT_EQ(resolve_url(base, "/about").value(), "https://example.com/about");
  EXPECT_EQ(resolve_url(base, "//cdn.example.net/a.js").value(), "https://cdn.example.net/a.js");
  EXPECT_EQ(resolve_url(base, "?page=2").value(), "https://example.com/news/2024/story.html?page=2");
  EXPECT_EQ(resolve_url(base, "http://other.org/x").value(), "http://other.org/x");
  EXPECT_EQ(resolve_url(base, "").value(), "https://example.com/news/2024/story.html?x=1");
  EXPECT_FALSE(resolve_url("not a url", "x").has_value());
}

TEST(Url, SameSite) {
  EXPECT_TRUE(same_site("https://www.example.com/a", "http://example.com/b"));
  EXPECT_TRUE(same_site("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b"));
  EXPECT_TRUE(same_site("https://www.tut.by/a", "https://news.tut.by/b"));
  EXPECT_FALSE(same_site("https://bbc.co.uk/a", "https://itv.co.uk/b"));
  EXPECT_FALSE(same_site("https://example.com/a", "https://example.org/a"));
  EXPECT_FALSE(same_site("https://example.com/a", "/relative"));
  EXPECT_EQ(url_host("https://News.Example.com:8443/x"), "news.example.com");
}
