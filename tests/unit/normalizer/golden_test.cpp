// Golden tests over the check set in tests/fixtures/extraction: news-style pages
// written for wirewatch (UTF-8, windows-1252 declared as ISO-8859-1, windows-1251
// declared and undeclared). For each page cases.json gives the segments that must
// and must not be in the body and the expected title; golden/<page>.txt is the
// exact record. After a deliberate change of the extractor, rewrite the goldens
// with WIREWATCH_UPDATE_GOLDEN=1 and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_util.hpp"
#include "wirewatch/normalizer/record.hpp"

using namespace wirewatch;
namespace fs = std::filesystem;

namespace {

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (space) out += ' ';
  return out;
}

nlohmann::json cases() {
  return nlohmann::json::parse(test::read_file(test::extraction_fixtures() / "cases.json"));
}

class CheckSetPage : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(CheckSetPage, MatchesSegmentsTitleAndGolden) {
  const std::string name = GetParam();
  const auto c = cases().at(name);
  const auto html = test::read_file(test::extraction_fixtures() / "pages" / name);
  ASSERT_FALSE(html.empty());
  auto article = test::extract_ok(html, test::url_options(c.at("url").get<std::string>()));

  EXPECT_EQ(article.text.title, c.at("title").get<std::string>());
  const std::string body = " " + collapse(article.text.body()) + " ";
  for (const auto& seg : c.at("with"))
    EXPECT_NE(body.find(collapse(seg.get<std::string>())), std::string::npos) << "missing: " << seg;
  for (const auto& seg : c.at("without"))
    EXPECT_EQ(body.find(collapse(seg.get<std::string>())), std::string::npos) << "boilerplate: " << seg;
  for (const auto& p : article.text.paragraphs) EXPECT_EQ(p.find('\n'), std::string::npos);

  const fs::path golden = test::extraction_fixtures() / "golden" / (fs::path(name).stem().string() + ".txt");
  const std::string record = write_record(article.text);
  // The record file reads back as the same text.
  auto reread = parse_record(record);
  ASSERT_TRUE(std::holds_alternative<RecordText>(reread));
  EXPECT_EQ(std::get<RecordText>(reread), article.text);
  if (std::getenv("WIREWATCH_UPDATE_GOLDEN")) {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary) << record;
  }
  EXPECT_EQ(record, test::read_file(golden)) << "golden: " << golden;
}

TEST_P(CheckSetPage, GumboGivesTheSameRecord) {
  const std::string name = GetParam();
  const auto c = cases().at(name);
  const auto html = test::read_file(test::extraction_fixtures() / "pages" / name);
  ExtractOptions options = test::url_options(c.at("url").get<std::string>());
  auto a = test::extract_ok(html, options);
  options.parser = HtmlParser::gumbo;
  auto b = test::extract_ok(html, options);
  EXPECT_EQ(a.text, b.text);
}

TEST(CheckSet, MetadataOfSomePages) {
  auto html = test::read_file(test::extraction_fixtures() / "pages" / "en-news-jsonld.html");
  auto a = test::extract_ok(
      html, test::url_options(
                "https://www.harbourledger.example.com/business/2024/05/port-strike-second-week#comments"));
  EXPECT_EQ(a.canonical_url,
            "https://www.harbourledger.example.com/business/2024/05/port-strike-second-week");
  EXPECT_EQ(a.author, "Priya Raman");
  EXPECT_EQ(format_utc(a.published.value()), "2024-05-14T06:45:00Z");
  EXPECT_EQ(a.language, "en");

  html = test::read_file(test::extraction_fixtures() / "pages" / "ru-novosti-cp1251.html");
  a = test::extract_ok(html);
  EXPECT_EQ(a.charset, "windows-1251");
  EXPECT_EQ(a.language, "ru");

  html = test::read_file(test::extraction_fixtures() / "pages" / "ru-agro-cp1251-undeclared.html");
  a = test::extract_ok(html);
  EXPECT_EQ(a.charset, "windows-1251");

  html = test::read_file(test::extraction_fixtures() / "pages" / "de-pressemitteilung-latin1.html");
  a = test::extract_ok(html);
  EXPECT_EQ(a.charset, "windows-1252");
  EXPECT_EQ(a.language, "de");

  // The HTTP header's charset wins over the page's own declaration.
  html = test::read_file(test::extraction_fixtures() / "pages" / "be-grodna-cp1251.html");
  a = test::extract_ok(html, test::charset_options("windows-1251"));
  EXPECT_EQ(a.text.title, "У Гродне адрэстаўравалі старую аптэку");
  EXPECT_EQ(a.language, "be");

  html = test::read_file(test::extraction_fixtures() / "pages" / "fr-actualite.html");
  a = test::extract_ok(html, test::url_options("https://ouestmatin.example.fr/x"));
  EXPECT_EQ(a.canonical_url, "https://www.ouestmatin.example.fr/bretagne/brest/arbres-2030");
}

INSTANTIATE_TEST_SUITE_P(Pages, CheckSetPage, ::testing::ValuesIn([] {
                           std::vector<std::string> names;
                           const auto all = cases();
                           for (auto it = all.begin(); it != all.end(); ++it) names.push_back(it.key());
                           return names;
                         }()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param;
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });
