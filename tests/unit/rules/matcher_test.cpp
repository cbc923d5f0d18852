// Matching semantics of every operator, field and modifier, Cyrillic and
// diacritics, and the candidate index.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {
namespace {

using testing::slice;

RuleDefinition def(std::string id, std::string query) {
  RuleDefinition d;
  d.id = std::move(id);
  d.query = std::move(query);
  return d;
}

// One rule with the given query; lists as in a rule file.
std::shared_ptr<const RuleSet> one(const std::string& query,
                                   std::map<std::string, std::vector<std::string>, std::less<>> lists = {}) {
  auto r = compile_rules({def("r", query)}, lists);
  EXPECT_TRUE(r.ok()) << query << "\n" << r.diagnostics.render();
  return r.rules;
}

bool matches(const std::string& query, const Document& doc) {
  auto set = one(query);
  if (!set) return false;
  const bool indexed = !set->match(doc).empty();
  const bool direct = set->match_rule(0, doc, {}).has_value();
  EXPECT_EQ(indexed, direct) << query << ": the index and direct evaluation disagree";
  return indexed;
}

bool matches(const std::string& query, const std::string& title, const std::string& body) {
  return matches(query, TextDocument(title, body));
}

TEST(Matcher, DiacriticsFoldForLatinLettersOnly) {
  EXPECT_TRUE(matches("Lukasenka", "", "Alaksandr Lukašenka said"));
  EXPECT_TRUE(matches("Lukašenka", "", "LUKASENKA"));
  EXPECT_TRUE(matches("cafe", "", "Un café crème"));
  EXPECT_TRUE(matches("creme", "", "Un café crème"));
  EXPECT_TRUE(matches("Zürich", "", "in Zurich today"));
  EXPECT_TRUE(
      matches("e\xCC\x81"
              "cole",
              "", "école"));  // decomposed in the query
  // ё folds to е, й stays й.
  EXPECT_TRUE(matches("елка", "", "Ёлка в Минске"));
  EXPECT_TRUE(matches("ёлка", "", "ЕЛКА"));
  EXPECT_FALSE(matches("мои", "", "мой дом"));
  EXPECT_FALSE(matches("мой", "", "мои дома"));
  EXPECT_TRUE(matches("мой", "", "МОЙ дом"));
  // Belarusian ў keeps its breve: it is a letter of its own.
  EXPECT_FALSE(matches("беларуския", "", "беларускія"));
  EXPECT_FALSE(matches("Мiнск", "", "Минск"));  // Latin i is not Cyrillic и
}

TEST(Matcher, CyrillicCaseFolding) {
  EXPECT_TRUE(matches("лукашенко", "Лукашенко провел совещание", ""));
  EXPECT_TRUE(matches("ЛУКАШЕНКО AND совещание", "", "Лукашенко провел совещание"));
  EXPECT_TRUE(matches("лукаш*", "", "Лукашенко"));
  EXPECT_TRUE(matches("\"провел совещание\"", "", "Лукашенко ПРОВЕЛ совещание."));
  EXPECT_FALSE(matches("минск", "", "в Минске"));
  EXPECT_TRUE(matches("минск*", "", "в Минске"));
  EXPECT_TRUE(matches("Минск?", "", "в Минске"));
}

TEST(Matcher, PrefixesAndWildcards) {
  EXPECT_TRUE(matches("instruct*", "", "the instructors"));
  EXPECT_TRUE(matches("instruct*", "", "instruct"));
  EXPECT_FALSE(matches("instruct*", "", "instrument"));
  EXPECT_TRUE(matches("organi?ation", "", "Organisation"));
  EXPECT_TRUE(matches("organi?ation", "", "organization"));
  EXPECT_FALSE(matches("organi?ation", "", "organiation"));
  EXPECT_FALSE(matches("organi?ation", "", "organisations"));
  EXPECT_TRUE(matches("organi?ation*", "", "organisations"));
  EXPECT_TRUE(matches("\"wagner instruct*\"", "", "Wagner instructors arrived"));
  EXPECT_FALSE(matches("\"wagner instruct*\"", "", "Wagner arrived as instructors"));
}

TEST(Matcher, PhraseWithinNPositions) {
  const std::string q = "\"wagner instructors\"~3";
  EXPECT_TRUE(matches(q, "", "Wagner instructors"));
  EXPECT_TRUE(matches(q, "", "instructors from the Wagner"));  // any order
  EXPECT_TRUE(matches(q, "", "Wagner a b instructors"));       // positions 0 and 3
  EXPECT_FALSE(matches(q, "", "Wagner a b c instructors"));    // 4 apart
  EXPECT_FALSE(matches(q, "Wagner", "instructors"));           // never across fields
  EXPECT_TRUE(matches("\"a b c\"~2", "", "c a b"));
  EXPECT_FALSE(matches("\"a b c\"~2", "", "c a x b"));
  EXPECT_FALSE(matches("\"a a\"~5", "", "a"));  // two different tokens are needed
  EXPECT_TRUE(matches("\"a a\"~5", "", "a x a"));
}

TEST(Matcher, NotAndMinus) {
  EXPECT_TRUE(matches("wagner -opera", "", "Wagner mercenaries"));
  EXPECT_FALSE(matches("wagner -opera", "", "Wagner opera"));
  EXPECT_FALSE(matches("wagner -\"opera house\"", "", "Wagner at the opera house"));
  EXPECT_TRUE(matches("wagner -\"opera house\"", "", "Wagner at the house of opera"));
}

TEST(Matcher, NearCountsPositionsInEitherOrder) {
  const std::string q = "wagner NEAR/3 instructors";
  EXPECT_TRUE(matches(q, "", "Wagner instructors"));              // adjacent: 1
  EXPECT_TRUE(matches(q, "", "instructors of the Wagner"));       // 3, reversed
  EXPECT_FALSE(matches(q, "", "instructors of the old Wagner"));  // 4
  EXPECT_FALSE(matches(q, "Wagner", "instructors"));              // never across fields
  EXPECT_TRUE(matches("wagner ONEAR/3 instructors", "", "Wagner's instructors"));
  EXPECT_FALSE(matches("wagner ONEAR/3 instructors", "", "instructors of Wagner"));
  EXPECT_TRUE(matches("\"wagner group\" NEAR/3 (training OR instructors)", "",
                      "the Wagner Group will provide training"));
  EXPECT_FALSE(matches("\"wagner group\" NEAR/2 (training OR instructors)", "",
                       "the Wagner Group will provide training"));
  EXPECT_TRUE(matches("instruct* NEAR/2 wagner", "", "instructors from Wagner"));
  // The two operands must be different words of the text.
  EXPECT_FALSE(matches("wagner NEAR/3 wag*", "", "Wagner said"));
  EXPECT_TRUE(matches("wagner NEAR/3 wag*", "", "Wagner and Wagnerites"));
}

TEST(Matcher, NearSentenceAndParagraph) {
  const std::string body = "Wagner arrived. Instructors came later.\n\nThe instructors left.";
  EXPECT_FALSE(matches("wagner NEAR/s instructors", "", body));
  EXPECT_TRUE(matches("wagner NEAR/p instructors", "", body));
  EXPECT_TRUE(matches("wagner NEAR/s arrived", "", body));
  EXPECT_FALSE(matches("wagner NEAR/p left", "", body));
  EXPECT_TRUE(matches("instructors ONEAR/s later", "", body));
  EXPECT_FALSE(matches("later ONEAR/s instructors", "", body));
}

TEST(Matcher, Repeat) {
  EXPECT_TRUE(matches("repeat3:wagner", "Wagner", "wagner and WAGNER"));
  EXPECT_FALSE(matches("repeat3:wagner", "", "wagner and WAGNER"));
  EXPECT_TRUE(matches("repeat2:\"wagner group\"", "", "Wagner Group, the wagner group"));
  EXPECT_TRUE(matches("repeat2:instruct*", "", "instructor and instructors"));
  EXPECT_FALSE(matches("title:repeat2:wagner", "Wagner", "wagner wagner"));
}

TEST(Matcher, TitleAndBodyFields) {
  EXPECT_TRUE(matches("title:wagner", "Wagner news", "nothing"));
  EXPECT_FALSE(matches("title:wagner", "News", "Wagner"));
  EXPECT_TRUE(matches("body:wagner", "News", "Wagner"));
  EXPECT_FALSE(matches("body:wagner", "Wagner", "news"));
  EXPECT_TRUE(matches("title:(a OR b) AND body:c", "b", "c"));
  EXPECT_FALSE(matches("title:\"a b\"", "a", "b"));
  EXPECT_TRUE(matches("wagner AND NOT title:wagner", "News", "Wagner"));
  EXPECT_FALSE(matches("wagner AND NOT title:wagner", "Wagner", "Wagner"));
}

TEST(Matcher, UrlAuthorSiteSourceLang) {
  TextDocument doc("Title", "Body text");
  doc.set_url("https://news.belta.by/society/wagner-instructors-2023?x=1")
      .set_author("Jane Doe")
      .set_source_id("belta")
      .set_lang("ru-RU");
  EXPECT_TRUE(matches("url:wagner", doc));
  EXPECT_TRUE(matches("url:\"wagner instructors\"", doc));
  EXPECT_TRUE(matches("url:society/wagner", doc));
  EXPECT_FALSE(matches("wagner", doc));  // the URL is not title or body
  EXPECT_TRUE(matches("author:doe", doc));
  EXPECT_TRUE(matches("author:\"jane doe\"", doc));
  EXPECT_FALSE(matches("author:smith", doc));
  EXPECT_TRUE(matches("site:belta.by", doc));
  EXPECT_TRUE(matches("site:news.belta.by", doc));
  EXPECT_TRUE(matches("site:by AND body", doc));
  EXPECT_FALSE(matches("site:elta.by", doc));
  EXPECT_FALSE(matches("site:tut.by", doc));
  EXPECT_TRUE(matches("source:belta AND text", doc));
  EXPECT_FALSE(matches("source:tut", doc));
  EXPECT_TRUE(matches("lang:ru", doc));
  EXPECT_TRUE(matches("lang:ru-ru", doc));
  EXPECT_FALSE(matches("lang:en", doc));
  EXPECT_FALSE(matches("lang:ru-by", doc));
  EXPECT_TRUE(matches("title AND NOT lang:en", doc));
  TextDocument explicit_host("t", "b");
  explicit_host.set_host("WWW.Newsweek.com");
  EXPECT_TRUE(matches("site:newsweek.com", explicit_host));
}

TEST(Matcher, CaseSensitiveTerms) {
  EXPECT_TRUE(matches("case:Almaz", "", "the Almaz unit"));
  EXPECT_FALSE(matches("case:Almaz", "", "the almaz unit"));
  EXPECT_FALSE(matches("case:Almaz", "", "the ALMAZ unit"));
  EXPECT_TRUE(matches("case:SOBR OR case:Almaz", "", "SOBR"));
  EXPECT_FALSE(matches("case:SOBR", "", "Sobr"));
  EXPECT_TRUE(matches("case:\"Almaz Antey\"", "", "by Almaz Antey"));
  EXPECT_FALSE(matches("case:\"Almaz Antey\"", "", "by Almaz antey"));
  EXPECT_TRUE(matches("case:Лукашенко", "", "Лукашенко"));
  EXPECT_FALSE(matches("case:Лукашенко", "", "ЛУКАШЕНКО"));
  EXPECT_FALSE(matches("case:Zürich", "", "Zurich"));  // exact: accents too
  EXPECT_TRUE(matches("case:Alm*", "", "Almaz"));
  EXPECT_FALSE(matches("case:Alm*", "", "almaz"));
}

TEST(Matcher, ListsMatchAnyEntry) {
  const std::map<std::string, std::vector<std::string>, std::less<>> lists = {
      {"leaders", {"Lukashenko", "Lukashenka", "Alexander Lukashenko", "Лукашенко"}}};
  auto set = one("@leaders AND wagner", lists);
  ASSERT_TRUE(set);
  auto m = set->match(TextDocument("", "Alexander Lukashenko met Wagner"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].matched, (std::vector<std::string>{"Lukashenko", "\"Alexander Lukashenko\"", "wagner"}));
  EXPECT_EQ(set->match(TextDocument("Лукашенко и Вагнер", "Wagner")).size(), 1u);
  EXPECT_TRUE(set->match(TextDocument("", "Alexander met Wagner")).empty());
}

TEST(Matcher, HitsOfFieldsAndNearPairs) {
  auto set = one("title:wagner AND instructors NEAR/2 belarus");
  ASSERT_TRUE(set);
  TextDocument doc("Wagner", "Belarus wants instructors. Later, instructors elsewhere and belarus.");
  auto m = set->match(doc);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].matched, (std::vector<std::string>{"title:wagner", "instructors", "belarus"}));
  std::vector<std::string> hits;
  for (const auto& h : m[0].hits)
    hits.push_back(std::string(field_name(h.field)) + ":" + std::to_string(h.offset) + ":" + h.term);
  // Only the occurrences near each other are reported for a NEAR.
  EXPECT_EQ(hits,
            (std::vector<std::string>{"title:0:title:wagner", "body:0:belarus", "body:14:instructors"}));
  EXPECT_EQ(m[0].snippet, "Wagner");
}

TEST(Matcher, SourcesFilterAndDisabledRules) {
  auto only_belta = def("only-belta", "wagner");
  only_belta.sources = {"belta"};
  auto off = def("off", "wagner");
  off.enabled = false;
  auto r = compile_rules({only_belta, off, def("all", "wagner")});
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  TextDocument doc("Wagner", "");
  auto ids = [&](const Document& d) {
    std::vector<std::string> out;
    for (const auto& m : r.rules->match(d)) out.push_back(m.rule_id);
    return out;
  };
  EXPECT_EQ(ids(doc), (std::vector<std::string>{"all"}));
  doc.set_source_id("belta");
  EXPECT_EQ(ids(doc), (std::vector<std::string>{"only-belta", "all"}));
  // A disabled rule is compiled and can be evaluated directly, but never matches.
  EXPECT_TRUE(r.rules->match_rule(1, doc, {}).has_value());
  EXPECT_FALSE(r.rules->rules()[1].enabled);
  TextDocument other("Wagner", "");
  other.set_source_id("tut");
  EXPECT_FALSE(r.rules->match_rule(0, other, {}).has_value());
  EXPECT_TRUE(r.rules->match_rule(0, other, {.apply_sources = false}).has_value());
}

TEST(Matcher, OnlyCandidatesAreEvaluated) {
  // An AND of two words is a candidate only when both occur; an OR of ANDs
  // multiplies into clauses.
  std::vector<RuleDefinition> defs;
  for (int i = 0; i < 1000; ++i)
    defs.push_back(
        def("r" + std::to_string(i), "alpha" + std::to_string(i) + " AND (beta OR \"gamma delta\")"));
  defs.push_back(def("or-of-ands", "(a1 AND b1) OR (c1 AND d1)"));
  auto r = compile_rules(defs);
  ASSERT_TRUE(r.ok());
  MatchStats stats;
  auto m = r.rules->match(TextDocument("alpha1 alpha2 alpha3", "gamma a1 c1"), stats);
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(stats.candidates, 0u);
  stats = {};
  m = r.rules->match(TextDocument("alpha1 alpha2 alpha3", "beta"), stats);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(stats.candidates, 3u);
  stats = {};
  m = r.rules->match(TextDocument("alpha7", "delta x gamma"), stats);
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(stats.candidates, 1u);  // both words occur, the phrase does not
  stats = {};
  m = r.rules->match(TextDocument("", "a1 d1"), stats);
  EXPECT_EQ(stats.candidates, 0u);
  m = r.rules->match(TextDocument("", "c1 d1"), stats);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(stats.candidates, 1u);
}

TEST(Matcher, ExplainSaysWhy) {
  auto set = one("wagner AND (instruct* OR trainers) AND NOT opera");
  ASSERT_TRUE(set);
  auto e = set->explain(TextDocument("Wagner", "wagner instructors"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(e[0].matched);
  EXPECT_TRUE(e[0].candidate);
  ASSERT_GE(e[0].lines.size(), 6u);
  EXPECT_EQ(e[0].lines[0].node, "wagner AND (instruct* OR trainers) AND NOT opera");
  EXPECT_EQ(e[0].lines[1].node, "wagner");
  EXPECT_EQ(e[0].lines[1].detail, "2 hits: title 0+6 `Wagner`, body 0+6 `wagner`");
  EXPECT_EQ(e[0].lines[2].node, "(instruct* OR trainers)");
  EXPECT_EQ(e[0].lines[3].detail, "1 hit: body 7+11 `instructors`");
  EXPECT_EQ(e[0].lines[3].depth, 2);

  auto no = set->explain(TextDocument("Wagner", "opera"));
  ASSERT_EQ(no.size(), 1u);
  EXPECT_FALSE(no[0].matched);
  EXPECT_FALSE(no[0].candidate);
  EXPECT_EQ(no[0].missing, (std::vector<std::string>{"instruct* OR trainers"}));
}

TEST(Matcher, SeedsAsFixtures) {
  // Every seed record matches the rules written for it, and only those.
  auto r = load_rules({testing::fixtures() / "rules" / "seeds.yaml"});
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& e : std::filesystem::directory_iterator(testing::fixtures() / "seeds")) {
    auto doc = testing::read_record(e.path());
    for (const auto& m : r.rules->match(doc))
      got[m.rule_id].push_back(e.path().filename().string().substr(0, 3));
  }
  for (auto& [id, seeds] : got) std::sort(seeds.begin(), seeds.end());
  const std::map<std::string, std::vector<std::string>> expected = {
      {"wagner-instructors", {"000", "003", "004"}},
      {"wagner-near-instructors", {"003"}},
      {"belarusian-trainers", {"001"}},
      {"joint-training-prefix", {"000", "002", "003"}},
      {"lukashenko-list", {"001", "002", "003"}},
  };
  EXPECT_EQ(got, expected);
  // And their inline tests pass.
  for (const auto& t : r.rules->run_tests()) EXPECT_TRUE(t.ok()) << t.rule_id;
}

}  // namespace
}  // namespace wirewatch::rules
