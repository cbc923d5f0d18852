// The five seed records survive a trip through HTML pages built from them: each
// seed becomes a page in a news-site template (navigation, share bar, related
// list, comments, footer), and extracting the page gives back the seed's title
// and its paragraphs — every paragraph of prose in order, nothing from the
// template, nothing invented. Short lines of page furniture the seeds still carry
// ("No time to read?", "Previous Article") may be dropped: that is the extractor
// doing its job.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/normalizer/text_normalize.hpp"

using namespace wirewatch;
namespace fs = std::filesystem;

namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '\n')
      out += "<br>\n";  // a line break inside a paragraph
    else
      out += c;
  }
  return out;
}

std::string seed_page(const RecordText& seed) {
  std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(seed.title) +
      " | Seed News</title><meta property=\"og:site_name\" content=\"Seed News\"></head><body>"
      "<header class=\"site-header\"><a href=\"/\">Seed News</a><nav><ul><li><a href=\"/world\">World</a>"
      "</li><li><a href=\"/politics\">Politics</a></li><li><a href=\"/defence\">Defence</a></li></ul></nav>"
      "</header><main><article><h1>" +
      escape(seed.title) + "</h1><div class=\"article-body\">";
  for (const auto& p : seed.paragraphs) html += "<p>" + escape(p) + "</p>\n";
  html +=
      "</div><div class=\"share-tools\"><a href=\"#\">Share on Facebook</a> <a href=\"#\">Share on X</a>"
      "</div></article><section class=\"related-stories\"><h2>Related stories</h2><ul><li><a href=\"/a\">"
      "Template headline one that should never appear</a></li><li><a href=\"/b\">Template headline two "
      "that should never appear</a></li></ul></section><div id=\"comments\"><p>Template comment: this "
      "should never appear in the record, even though it reads like a sentence.</p></div></main>"
      "<footer><p>© 2024 Seed News. Template footer that should never appear.</p></footer></body></html>";
  return html;
}

std::vector<fs::path> seeds() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(WIREWATCH_FIXTURES) / "seeds"))
    out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(SeedsRoundTrip, TitlesAndParagraphsSurvive) {
  auto files = seeds();
  ASSERT_EQ(files.size(), 5u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    auto parsed = parse_record(test::read_file(file));
    ASSERT_TRUE(std::holds_alternative<RecordText>(parsed));
    const auto& seed = std::get<RecordText>(parsed);
    auto article = test::extract_ok(seed_page(seed), test::url_options("https://seednews.example.com/story"));

    EXPECT_EQ(article.text.title, normalize_paragraph(seed.title));
    // What came out is the seed's paragraphs, in order (a subsequence of them).
    const auto expected = normalize_paragraphs(seed.paragraphs);
    std::size_t at = 0;
    for (const auto& p : article.text.paragraphs) {
      auto it = std::find(expected.begin() + static_cast<std::ptrdiff_t>(at), expected.end(), p);
      ASSERT_NE(it, expected.end()) << "not from the seed, or out of order: " << p;
      at = static_cast<std::size_t>(it - expected.begin()) + 1;
    }
    // Every paragraph of prose made it.
    for (const auto& p : expected) {
      if (p.size() < 120) continue;
      EXPECT_NE(std::find(article.text.paragraphs.begin(), article.text.paragraphs.end(), p),
                article.text.paragraphs.end())
          << "lost: " << p;
    }
    EXPECT_EQ(article.text.body().find("Template"), std::string::npos);
  }
}
