// The rule file keys added with the full language: lists, tags, enabled,
// sources, throttle, tests; diagnostics with source line and caret, and JSON.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.hpp"
#include "wirewatch/rules/messages.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {
namespace {

namespace fs = std::filesystem;
namespace msg = messages;

std::vector<std::string> headlines(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items()) out.push_back(d.headline());
  return out;
}

LoadResult load(const std::string& yaml) { return load_rules_from_string("f.yaml", yaml); }

TEST(RuleFile, TheExampleOfTheIssueLoads) {
  auto r = load(R"(lists:
  belarus_leaders: [Lukashenko, Lukashenka, "Alexander Lukashenko", Лукашенко]
rules:
  - id: wagner-instructors
    query: Wagner AND instructor*
    topic: alerts.belarus.wagner       # default alerts.<id>
    severity: high                     # info | low | medium | high | critical
    description: Wagner personnel acting as instructors
    tags: [belarus, pmc]
    enabled: true
    sources: [belta, newsweek]         # optional: only these source ids
    throttle: 20/1h                    # optional: at most 20 alerts an hour, the rest counted
    tests:
      match: ["Wagner mercenaries served as instructors"]
      no_match: ["Wagner operas were performed"]
)");
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  const RuleInfo& info = r.rules->rules().at(0);
  EXPECT_EQ(info.tags, (std::vector<std::string>{"belarus", "pmc"}));
  EXPECT_TRUE(info.enabled);
  EXPECT_EQ(info.sources, (std::vector<std::string>{"belta", "newsweek"}));
  ASSERT_TRUE(info.throttle.has_value());
  EXPECT_EQ(info.throttle->count, 20u);
  EXPECT_EQ(info.throttle->window, std::chrono::hours(1));
  EXPECT_EQ(info.throttle->written, "20/1h");
  ASSERT_EQ(info.tests.match.size(), 1u);
  EXPECT_EQ(info.tests.match[0].record.title, "Wagner mercenaries served as instructors");
  EXPECT_EQ(info.tests.match[0].where.line, 14);
  EXPECT_EQ(info.query_where.line, 5);
  EXPECT_EQ(info.query_where.column, 12);
  auto results = r.rules->run_tests();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[0].cases, 2u);
}

TEST(RuleFile, NewKeysAreValidated) {
  auto r = load(
      "rules:\n"                             // 1
      "  - id: a\n"                          // 2
      "    query: x\n"                       // 3
      "    enabled: yes\n"                   // 4
      "    throttle: 20 per hour\n"          // 5
      "    tags: belarus\n"                  // 6
      "    sources: [belta, 'bad id']\n"     // 7
      "  - id: b\n"                          // 8
      "    query: x\n"                       // 9
      "    throttle: 0/1h\n"                 // 10
      "    tests: [x]\n"                     // 11
      "  - id: c\n"                          // 12
      "    query: x\n"                       // 13
      "    tests:\n"                         // 14
      "      match: x\n"                     // 15
      "      no_match: [{titel: x}, [y]]\n"  // 16
      "      maybe: []\n");                  // 17
  const std::vector<std::string> expected = {
      "f.yaml:4:14: error: " + msg::expected_bool("enabled"),
      "f.yaml:5:15: error: " + msg::invalid_throttle("20 per hour"),
      "f.yaml:6:11: error: " + msg::expected_string_list("tags"),
      "f.yaml:7:22: error: " + msg::invalid_source_id("bad id"),
      "f.yaml:10:15: error: " + msg::invalid_throttle("0/1h"),
      "f.yaml:11:12: error: " + msg::tests_not_mapping(),
      "f.yaml:15:14: error: " + msg::test_cases_not_sequence("match"),
      "f.yaml:16:19: error: unknown key `titel` in test record (expected one of: title, body, url, "
      "author, source, lang)",
      "f.yaml:16:30: error: " + msg::test_case_invalid(),
      "f.yaml:17:7: error: unknown key `maybe` in tests (expected one of: match, no_match)",
  };
  EXPECT_EQ(headlines(r), expected);
  EXPECT_EQ(msg::invalid_throttle("0/1h"),
            "invalid throttle `0/1h`: expected a count from 1 and a duration, as in `20/1h` (units "
            "ms, s, m, h, d)");
}

TEST(RuleFile, DisabledRulesAreCheckedAndNeverMatch) {
  auto bad = load("rules:\n  - id: a\n    query: x AND\n    enabled: false\n");
  EXPECT_FALSE(bad.ok());
  auto r = load("rules:\n  - id: a\n    query: x\n    enabled: false\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->rules()[0].enabled);
  EXPECT_TRUE(r.rules->match(TextDocument("x", "x")).empty());
}

TEST(RuleFile, ListsAreSharedAcrossFilesAndChecked) {
  const auto dir = fs::temp_directory_path() / "wirewatch-lists-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "10-rules.yaml") << "rules:\n  - id: a\n    query: '@places AND wagner'\n";
  std::ofstream(dir / "20-lists.yaml") << "lists:\n  places: [Minsk, \"Brest Fortress\"]\n";
  auto r = load_rules({dir});
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  EXPECT_EQ(r.rules->match(TextDocument("Wagner in Minsk", "")).size(), 1u);
  EXPECT_EQ(r.rules->match(TextDocument("Wagner near the brest fortress", "")).size(), 1u);

  std::ofstream(dir / "30-more.yaml") << "lists:\n  places: [Gomel]\n  bad name: [x]\n  odd: [ab*, '--']\n";
  auto dup = load_rules({dir});
  const std::string more = (dir / "30-more.yaml").string();
  const std::vector<std::string> expected = {
      more + ":2:3: error: " + msg::duplicate_list("places", (dir / "20-lists.yaml").string() + ":2:3"),
      more + ":3:3: error: " + msg::invalid_list_name("bad name"),
      more + ":4:11: error: " + msg::prefix_too_short('*'),
      more + ":4:15: error: " + msg::no_word("--"),
  };
  EXPECT_EQ(headlines(dup), expected);
  fs::remove_all(dir);
}

TEST(RuleFile, UnknownListsAndFieldsPointIntoTheQuery) {
  auto r = load(
      "rules:\n"
      "  - id: a\n"
      "    query: wagner AND @nobody\n"
      "  - id: b\n"
      "    query: 'titel:wagner'\n");
  const std::vector<std::string> expected = {
      "f.yaml:3:23: error: " + msg::unknown_list("nobody"),
      "f.yaml:5:13: error: " + msg::unknown_field("titel"),
  };
  EXPECT_EQ(headlines(r), expected);
}

TEST(RuleFile, DiagnosticsShowTheLineAndACaret) {
  auto r = load("rules:\n  - id: a\n    query: «Лукашенко» AND NOT\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(
      r.diagnostics.render(),
      "f.yaml:3:31: error: expected a word, a \"phrase\", `(` or `NOT` after `NOT`, found end of query\n"
      "      query: «Лукашенко» AND NOT\n"
      "                                ^\n");
  auto w = load("rules:\n  - id: a\n    query: a AND b OR c\n");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.diagnostics.render(),
            "f.yaml:3:20: warning: `AND` and `OR` mixed without parentheses: read as `(a AND b) OR c`; "
            "add parentheses to say so\n"
            "      query: a AND b OR c\n"
            "                     ^\n");
  EXPECT_EQ(w.diagnostics.to_json(),
            "[{\"column\":20,\"file\":\"f.yaml\",\"line\":3,\"message\":\"`AND` and `OR` mixed without "
            "parentheses: read as `(a AND b) OR c`; add parentheses to say so\",\"severity\":\"warning\"}]");
}

TEST(RuleFile, FailingInlineTestsAreReportedWithTheirLocation) {
  auto r = load(
      "rules:\n"
      "  - id: a\n"
      "    query: wagner -opera\n"
      "    tests:\n"
      "      match: [\"Wagner's opera\", {body: wagner}]\n"
      "      no_match: [\"Wagner today\"]\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  auto results = r.rules->run_tests();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].cases, 3u);
  ASSERT_EQ(results[0].failures.size(), 2u);
  EXPECT_EQ(results[0].failures[0].where.line, 5);
  EXPECT_EQ(results[0].failures[0].where.column, 15);
  EXPECT_EQ(results[0].failures[0].message, msg::test_expected_match());
  EXPECT_EQ(results[0].failures[1].where.line, 6);
  EXPECT_EQ(results[0].failures[1].message, "expected no match, got one on `wagner`");
}

TEST(RuleFile, RulesGivenInCode) {
  RuleDefinition a;
  a.id = "a";
  a.query = "wagner AND";
  RuleDefinition b;
  b.id = "a";
  b.query = "x";
  auto r = compile_rules({a, b});
  EXPECT_EQ(headlines(r), (std::vector<std::string>{
                              "<rules>:1:11: error: " + msg::expected_operand_after("AND", msg::kEndOfQuery),
                              "<rules>:2: error: " + msg::duplicate_id("a", "<rules>:1:0"),
                          }));
}

}  // namespace
}  // namespace wirewatch::rules
