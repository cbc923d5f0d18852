#include "wirewatch/normalizer/extract.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wirewatch/normalizer/date.hpp"
#include "wirewatch/normalizer/language.hpp"

using namespace wirewatch;
using wirewatch::test::extract_ok;

namespace {

const std::string kProse1 =
    "The council voted on Tuesday to extend the opening hours of the central library, after a "
    "petition signed by more than two thousand residents asked for evening access.";
const std::string kProse2 =
    "From next month the library will stay open until nine in the evening on weekdays, and a new "
    "reading room for students will open on the second floor.";

std::string page(std::string_view head, std::string_view body) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" + std::string(head) +
         "</head><body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>" + std::string(body) +
         "<footer>© 2024 Example News. All rights reserved.</footer></body></html>";
}

}  // namespace

TEST(Extract, HeadingsListItemsAndBrBrAreParagraphs) {
  auto a = extract_ok(page("<title>Library hours</title>",
                           "<article><h1>Library hours extended</h1><p>" + kProse1 +
                               "</p>"
                               "<h2>What changes</h2><ul><li>Open until 9 p.m. on weekdays.</li>"
                               "<li>A reading room for students.</li></ul><p>" +
                               kProse2 +
                               "</p><div>First part of a letter,<br>still the first paragraph."
                               "<br><br>Second paragraph after two breaks.</div></article>"));
  EXPECT_EQ(a.text.title, "Library hours extended");
  std::vector<std::string> want = {kProse1,
                                   "What changes",
                                   "Open until 9 p.m. on weekdays.",
                                   "A reading room for students.",
                                   kProse2,
                                   "First part of a letter, still the first paragraph.",
                                   "Second paragraph after two breaks."};
  EXPECT_EQ(a.text.paragraphs, want);
  for (const auto& p : a.text.paragraphs) EXPECT_EQ(p.find('\n'), std::string::npos);
}

TEST(Extract, DecodesEntitiesAndNormalizes) {
  auto a = extract_ok(page("<title>T</title>",
                           "<article><p>Caf&eacute; &amp; bar&nbsp;&#8212; &ldquo;quoted&rdquo;"
                           "&#x2019;s text\n  with   spaces&shy;here and "
                           "enough words to count as a paragraph.</p></article>"));
  ASSERT_EQ(a.text.paragraphs.size(), 1u);
  EXPECT_EQ(a.text.paragraphs[0],
            "Café & bar — “quoted”’s text with spaceshere and enough words to count as a paragraph.");
}

TEST(Extract, DropsBoilerplateAroundTheArticle) {
  auto a =
      extract_ok(page("<title>T</title>",
                      "<div class=\"cookie-banner\"><p>We use cookies to improve your experience on "
                      "this website, please accept them.</p></div>"
                      "<main><article><p>" +
                          kProse1 +
                          "</p><div class=\"share-buttons\">Share "
                          "<a href=\"#\">Facebook</a></div><p>" +
                          kProse2 +
                          "</p></article>"
                          "<section class=\"related-articles\"><h3>Related</h3><ul><li><a href=\"/a\">"
                          "Another story about the library and its opening hours</a></li></ul></section>"
                          "<div id=\"comments\"><p>I love the library and I think this is a great idea, "
                          "thank you council for listening to us.</p></div></main>"
                          "<aside class=\"sidebar\"><h3>Most read</h3><p>Sidebar text that is long "
                          "enough to look like a paragraph of prose, but is not part of it.</p></aside>"));
  std::vector<std::string> want = {kProse1, kProse2};
  EXPECT_EQ(a.text.paragraphs, want);
}

TEST(Extract, MetadataFromJsonLdAndMeta) {
  auto a = extract_ok(
      page("<title>Library hours extended | Example News</title>"
           "<meta property=\"og:site_name\" content=\"Example News\">"
           "<link rel=\"canonical\" href=\"/local/library-hours?utm_source=x\">"
           "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\"Library hours "
           "extended\",\"datePublished\":\"2024-03-05T10:20:00+01:00\",\"author\":{\"@type\":\"Person\","
           "\"name\":\"Ann Lee\"}}</script>",
           "<article><p>" + kProse1 + "</p><p>" + kProse2 + "</p></article>"),
      test::url_options("https://www.example.com/story/123?utm_medium=feed"));
  EXPECT_EQ(a.text.title, "Library hours extended");
  EXPECT_EQ(a.canonical_url, "https://www.example.com/local/library-hours");
  ASSERT_TRUE(a.published.has_value());
  EXPECT_EQ(format_utc(*a.published), "2024-03-05T09:20:00Z");
  EXPECT_EQ(a.author, "Ann Lee");
  EXPECT_EQ(a.language, "en");
  EXPECT_EQ(a.site_name, "Example News");
}

TEST(Extract, CanonicalOnAnotherSiteIsIgnored) {
  auto a =
      extract_ok(page("<title>T</title><link rel=\"canonical\" href=\"https://aggregator.example.net/x\">",
                      "<article><p>" + kProse1 + "</p></article>"),
                 test::url_options("https://Example.com:443/story#top"));
  EXPECT_EQ(a.canonical_url, "https://example.com/story");
}

TEST(Extract, FallbacksFromTheFeedItem) {
  ExtractOptions options;
  options.fallback_title = "Feed title";
  options.fallback_published = parse_iso_date_time("2024-01-02T03:04:05Z");
  options.fallback_author = "Feed Author";
  auto a = extract_ok("<html><body><div><p>" + kProse1 + "</p></div></body></html>", options);
  EXPECT_EQ(a.text.title, "Feed title");
  EXPECT_EQ(format_utc(a.published.value()), "2024-01-02T03:04:05Z");
  EXPECT_EQ(a.author, "Feed Author");
  EXPECT_EQ(a.language, "en");  // detected
  EXPECT_TRUE(a.canonical_url.empty());
}

TEST(Extract, TimeElementGivesThePublishedDate) {
  auto a = extract_ok(page("<title>T</title>", "<article><time datetime=\"2023-09-02\">2 Sep</time><p>" +
                                                   kProse1 + "</p></article>"));
  EXPECT_EQ(format_utc(a.published.value()), "2023-09-02T00:00:00Z");
}

TEST(Extract, FailsOnWhatIsNotHtml) {
  auto r = extract_article("just some plain text, no markup at all");
  ASSERT_TRUE(std::holds_alternative<ExtractError>(r));
  EXPECT_EQ(std::get<ExtractError>(r).kind, ExtractFailure::not_html);
  r = extract_article(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  ASSERT_TRUE(std::holds_alternative<ExtractError>(r));
  EXPECT_EQ(std::get<ExtractError>(r).kind, ExtractFailure::not_html);
  r = extract_article("");
  ASSERT_TRUE(std::holds_alternative<ExtractError>(r));
  EXPECT_EQ(std::get<ExtractError>(r).kind, ExtractFailure::not_html);
}

TEST(Extract, FailsWithoutMainText) {
  auto r = extract_article(page("<title>Home</title>", "<div class=\"menu\"><a href=\"/a\">A</a></div>"));
  ASSERT_TRUE(std::holds_alternative<ExtractError>(r));
  EXPECT_EQ(std::get<ExtractError>(r).kind, ExtractFailure::no_main_text);
  EXPECT_EQ(std::get<ExtractError>(r).message.find('\n'), std::string::npos);
}

TEST(Extract, SurvivesGarbage) {
  std::string garbage = "<div><p>" + kProse1;
  for (int i = 0; i < 2000; ++i) garbage += "<div><span><b>";
  garbage += "</i></table>&#xFFFFFFFF;&bogus;<<>>\xFF\xFE";
  for (auto parser : {HtmlParser::libxml2, HtmlParser::gumbo}) {
    auto r = extract_article(garbage, test::parser_options(parser));
    ASSERT_TRUE(std::holds_alternative<Article>(r));
    EXPECT_EQ(std::get<Article>(r).text.paragraphs.front().substr(0, 20), kProse1.substr(0, 20));
  }
}

TEST(Extract, BothParsersAgreeOnCleanPages) {
  std::string html = page("<title>T</title>",
                          "<article><h1>Head</h1><p>" + kProse1 + "</p><p>" + kProse2 + "</p></article>");
  auto a = extract_ok(html, test::parser_options(HtmlParser::libxml2));
  auto b = extract_ok(html, test::parser_options(HtmlParser::gumbo));
  EXPECT_EQ(a.text, b.text);
}

TEST(Date, ParsesIsoForms) {
  EXPECT_EQ(format_utc(parse_iso_date_time("2024-03-05").value()), "2024-03-05T00:00:00Z");
  EXPECT_EQ(format_utc(parse_iso_date_time("2024-03-05T10:20:30Z").value()), "2024-03-05T10:20:30Z");
  EXPECT_EQ(format_utc(parse_iso_date_time("2024-03-05 10:20:30+02:00").value()), "2024-03-05T08:20:30Z");
  EXPECT_EQ(format_utc(parse_iso_date_time("2024-03-05T10:20:30.123-0500").value()), "2024-03-05T15:20:30Z");
  EXPECT_EQ(format_utc(parse_iso_date_time("20240305").value()), "2024-03-05T00:00:00Z");
  EXPECT_FALSE(parse_iso_date_time("March 5, 2024").has_value());
  EXPECT_FALSE(parse_iso_date_time("2024-13-45").has_value());
}

TEST(Language, TagsAndDetection) {
  EXPECT_EQ(normalize_language_tag("en-US"), "en");
  EXPECT_EQ(normalize_language_tag("de_DE"), "de");
  EXPECT_EQ(normalize_language_tag("x"), "");
  EXPECT_EQ(detect_language("Der Gemeinderat hat am Dienstag beschlossen, dass die Bibliothek "
                            "auch am Abend geöffnet ist und die Schüler einen eigenen Raum bekommen."),
            "de");
  EXPECT_EQ(detect_language(kProse1), "en");
  EXPECT_EQ(detect_language("В субботу в Новосибирске открыли движение по новому мосту через Обь."), "ru");
  EXPECT_EQ(detect_language("З понеділка на маршрути у Львові вийшли нові електробуси, їх дванадцять."),
            "uk");
  EXPECT_EQ(detect_language("ok"), "");
}
