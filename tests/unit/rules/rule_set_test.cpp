#include "wirewatch/rules/rule_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "test_util.hpp"
#include "wirewatch/rules/messages.hpp"

namespace wirewatch::rules {
namespace {

namespace fs = std::filesystem;
namespace msg = messages;
using testing::fixtures;
using testing::slice;

std::vector<std::string> headlines(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items()) out.push_back(d.headline());
  return out;
}

LoadResult load(const std::string& yaml) { return load_rules_from_string("f.yaml", yaml); }

// A rule set of one rule per query, with ids r0, r1, ...
std::shared_ptr<const RuleSet> rules_of(const std::vector<std::string>& queries) {
  std::string yaml = "rules:\n";
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::string q;
    for (char c : queries[i]) q += c == '\'' ? std::string("''") : std::string(1, c);
    yaml += "  - id: r" + std::to_string(i) + "\n    query: '" + q + "'\n";
  }
  auto r = load(yaml);
  EXPECT_TRUE(r.ok()) << r.diagnostics.render();
  return r.rules;
}

std::vector<std::string> ids(const std::vector<Match>& matches) {
  std::vector<std::string> out;
  for (const auto& m : matches) out.push_back(m.rule_id);
  return out;
}

// ---- loading -----------------------------------------------------------------

TEST(RuleLoader, ReadsARuleWithDefaults) {
  auto r = load("rules:\n  - id: wagner-instructors\n    query: Wagner AND instructors\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.rules->size(), 1u);
  const RuleInfo& info = r.rules->rules()[0];
  EXPECT_EQ(info.id, "wagner-instructors");
  EXPECT_EQ(info.query, "Wagner AND instructors");
  EXPECT_EQ(info.topic, "alerts.wagner-instructors");
  EXPECT_EQ(info.severity, Severity::medium);
  EXPECT_EQ(info.description, "");
  EXPECT_EQ(info.where.file, "f.yaml");
  EXPECT_EQ(info.where.line, 2);
  EXPECT_EQ(info.where.column, 5);
}

TEST(RuleLoader, ReadsEveryField) {
  auto r = load(
      "rules:\n"
      "  - id: w.1_x\n"
      "    query: '\"joint combat training\" OR Лукашенко'\n"
      "    topic: alerts.wagner\n"
      "    severity: critical\n"
      "    description: Wagner personnel acting as instructors\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  const RuleInfo& info = r.rules->rules().at(0);
  EXPECT_EQ(info.query, "\"joint combat training\" OR Лукашенко");
  EXPECT_EQ(info.topic, "alerts.wagner");
  EXPECT_EQ(info.severity, Severity::critical);
  EXPECT_EQ(severity_name(info.severity), "critical");
  EXPECT_EQ(info.description, "Wagner personnel acting as instructors");
}

TEST(RuleLoader, EverySeverityName) {
  const std::map<std::string, Severity> names = {{"info", Severity::info},
                                                 {"low", Severity::low},
                                                 {"medium", Severity::medium},
                                                 {"high", Severity::high},
                                                 {"critical", Severity::critical}};
  for (const auto& [name, severity] : names) {
    auto r = load("rules:\n  - id: a\n    query: a\n    severity: " + name + "\n");
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_EQ(r.rules->rules()[0].severity, severity);
    EXPECT_EQ(severity_name(severity), name);
  }
}

TEST(RuleLoader, ReportsEveryErrorOfTheFileWithItsLocation) {
  auto r = load(
      "rules:\n"                       // 1
      "  - id: ok-rule\n"              // 2
      "    query: Wagner\n"            // 3
      "  - id: bad id\n"               // 4
      "    query: x\n"                 // 5
      "  - id: ok-rule\n"              // 6
      "    query: y\n"                 // 7
      "  - id: q1\n"                   // 8
      "    query: Wagner AND\n"        // 9
      "  - id: s1\n"                   // 10
      "    query: a\n"                 // 11
      "    severity: urgent\n"         // 12
      "  - id: t1\n"                   // 13
      "    query: a\n"                 // 14
      "    topic: records.x\n"         // 15
      "  - id: t2\n"                   // 16
      "    query: a\n"                 // 17
      "    topic: has space\n"         // 18
      "  - query: a\n"                 // 19
      "  - id: no-query\n"             // 20
      "  - id: k1\n"                   // 21
      "    query: a\n"                 // 22
      "    tag: [x]\n"                 // 23
      "  - just a string\n"            // 24
      "  - id: [x]\n"                  // 25
      "    query: a\n"                 // 26
      "  - id: t3\n"                   // 27
      "    query: a\n"                 // 28
      "    topic: wirewatch.health\n"  // 29
      "  - id: t4\n"                   // 30
      "    query: a\n"                 // 31
      "    topic: ''\n"                // 32
      "  - id: d1\n"                   // 33
      "    query: a\n"                 // 34
      "    description: {x: 1}\n");    // 35
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.rules, nullptr);
  const std::vector<std::string> expected = {
      "f.yaml:4:9: error: invalid rule id `bad id`: expected a letter or digit, then letters, "
      "digits, `_`, `.` or `-`",
      "f.yaml:6:5: error: duplicate rule id `ok-rule` (first defined at f.yaml:2:5)",
      "f.yaml:9:22: error: expected a word, a \"phrase\", `(` or `NOT` after `AND`, found end of "
      "query",
      "f.yaml:12:15: error: invalid severity `urgent`: expected one of info, low, medium, high, "
      "critical",
      "f.yaml:15:12: error: reserved topic `records.x`: topics must not start with `records.` or "
      "`wirewatch.`",
      "f.yaml:18:12: error: invalid topic `has space`: expected a letter or digit, then letters, "
      "digits, `_`, `.` or `-` (no whitespace)",
      "f.yaml:19:5: error: rule is missing the required key `id`",
      "f.yaml:20:5: error: rule is missing the required key `query`",
      "f.yaml:23:5: error: unknown key `tag` in rule (expected one of: id, query, topic, "
      "severity, description, tags, enabled, sources, throttle, tests)",
      "f.yaml:24:5: error: expected a rule: a mapping with at least `id` and `query`",
      "f.yaml:25:9: error: expected a string for `id`",
      "f.yaml:29:12: error: " + msg::reserved_topic("wirewatch.health"),
      "f.yaml:32:12: error: " + msg::empty_topic(),
      "f.yaml:35:18: error: " + msg::expected_string("description"),
  };
  EXPECT_EQ(headlines(r), expected);
}

TEST(RuleLoader, QueryErrorColumnsPointIntoTheQuery) {
  auto r = load(
      "rules:\n"
      "  - id: a\n"
      "    query: \"Wagner AND\"\n"  // 3: the quote is column 12
      "  - id: b\n"
      "    query: 'x OR OR y'\n"      // 5
      "  - {id: c, query: \"(a\"}\n"  // 6: the quote is column 20
      "  - id: d\n"
      "    query: Лукашенко AND\n"  // 8
      "  - id: e\n"
      "    query: \"a \\\"b\\\" AND\"\n"  // 10: escapes in the source
      "  - id: f\n"
      "    query: |\n"
      "      Wagner AND\n"  // 13
      "  - id: g\n"
      "    query: Wagner AND\n"
      "      instructors OR\n"  // 16: a folded plain scalar
      "  - id: h\n"
      "    query: NOT x\n");  // 18
  const std::vector<std::string> expected = {
      "f.yaml:3:23: error: " + msg::expected_operand_after("AND", msg::kEndOfQuery),
      "f.yaml:5:18: error: " + msg::expected_operand_after("OR", "`OR`"),
      "f.yaml:6:23: error: " + msg::expected_close_paren(msg::kEndOfQuery),
      "f.yaml:8:25: error: " + msg::expected_operand_after("AND", msg::kEndOfQuery),
      "f.yaml:10:24: error: " + msg::expected_operand_after("AND", msg::kEndOfQuery),
      "f.yaml:13:17: error: " + msg::expected_operand_after("AND", msg::kEndOfQuery),
      "f.yaml:16:21: error: " + msg::expected_operand_after("OR", msg::kEndOfQuery),
      "f.yaml:18:12: error: query can never match: expected a term that is not under `NOT`",
  };
  EXPECT_EQ(headlines(r), expected);
}

TEST(RuleLoader, EmptyQueries) {
  auto r = load(
      "rules:\n"
      "  - id: a\n"
      "    query: ''\n"
      "  - id: b\n"
      "    query:\n"
      "  - id: c\n"
      "    query: [x]\n");
  const std::vector<std::string> expected = {
      "f.yaml:3:13: error: " + msg::empty_query(),
      "f.yaml:5:5: error: " + msg::empty_query(),
      "f.yaml:7:12: error: " + msg::expected_string("query"),
  };
  EXPECT_EQ(headlines(r), expected);
}

TEST(RuleLoader, QueryWarningsDoNotFailTheLoad) {
  auto r = load("rules:\n  - id: a\n    query: rock and roll\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].headline(),
            "f.yaml:3:17: warning: `and` is matched as a word; the operator is written `AND`");
}

TEST(RuleLoader, WrongNodeTypes) {
  EXPECT_EQ(headlines(load("- id: a\n  query: b\n")),
            std::vector<std::string>{"f.yaml:1:1: error: " + msg::top_level_not_mapping()});
  EXPECT_EQ(headlines(load("rules:\n  id: a\n")),
            std::vector<std::string>{"f.yaml:2:3: error: " + msg::rules_not_sequence()});
  EXPECT_EQ(headlines(load("rules: all\n")),
            std::vector<std::string>{"f.yaml:1:8: error: expected a sequence of rules for `rules`"});
  EXPECT_EQ(headlines(load("rules:\n  - [a, b]\n")),
            std::vector<std::string>{"f.yaml:2:5: error: " + msg::rule_not_mapping()});
  EXPECT_EQ(headlines(load("rules:\n  - id: a\n    query: b\n    severity: [high]\n")),
            std::vector<std::string>{"f.yaml:4:15: error: expected a string for `severity`"});
  EXPECT_EQ(headlines(load("rules:\n  - id:\n    query: b\n")),
            std::vector<std::string>{"f.yaml:2:5: error: expected a string for `id`"});
}

TEST(RuleLoader, UnknownKeysAtTheTopAndInRules) {
  auto r = load(
      "rule:\n"
      "  - id: a\n"
      "rules:\n"
      "  - id: b\n"
      "    query: x\n"
      "    Query: y\n");
  const std::vector<std::string> expected = {
      "f.yaml:1:1: error: unknown key `rule` in rule file (expected one of: rules, lists)",
      "f.yaml:6:5: error: unknown key `Query` in rule (expected one of: id, query, topic, "
      "severity, description, tags, enabled, sources, throttle, tests)",
  };
  EXPECT_EQ(headlines(r), expected);
}

TEST(RuleLoader, DuplicateYamlKeysAndSyntaxErrors) {
  auto dup = load("rules:\n  - id: a\n    query: x\n    id: b\n");
  EXPECT_FALSE(dup.ok());
  EXPECT_EQ(headlines(dup), std::vector<std::string>{"f.yaml:4:5: error: duplicate key `id`"});

  auto bad = load("rules:\n  - id: a\n    query: x\n  - id: [b\n");
  EXPECT_FALSE(bad.ok());
  ASSERT_EQ(bad.diagnostics.items().size(), 1u);
  const auto& d = bad.diagnostics.items()[0];
  EXPECT_EQ(d.severity, wirewatch::Severity::error);
  EXPECT_EQ(d.where.file, "f.yaml");
  EXPECT_GE(d.where.line, 4);
  EXPECT_EQ(d.headline().rfind("f.yaml:" + std::to_string(d.where.line) + ":", 0), 0u);
}

TEST(RuleLoader, ListsAreCheckedForShapeOnly) {
  auto good = load("lists:\n  places: [Minsk, Brest]\n  empty: []\nrules:\n  - id: a\n    query: x\n");
  EXPECT_TRUE(good.ok()) << good.diagnostics.render();
  EXPECT_EQ(good.rules->size(), 1u);

  auto bad = load(
      "lists:\n"
      "  places: Minsk\n"
      "  more:\n"
      "    - [a]\n"
      "    - ok\n");
  const std::vector<std::string> expected = {
      "f.yaml:2:11: error: expected a sequence of strings for list `places`",
      "f.yaml:4:7: error: expected a string in list `more`",
  };
  EXPECT_EQ(headlines(bad), expected);
  EXPECT_EQ(headlines(load("lists: [a]\n")),
            std::vector<std::string>{"f.yaml:1:8: error: " + msg::lists_not_mapping()});
}

TEST(RuleLoader, EmptyFilesAndEmptyRuleListsLoadNoRules) {
  for (const std::string text : {"", "# nothing yet\n", "rules:\n", "rules: []\n"}) {
    auto r = load(text);
    ASSERT_TRUE(r.ok()) << text << r.diagnostics.render();
    EXPECT_EQ(r.rules->size(), 0u);
    EXPECT_TRUE(r.rules->match(TextDocument("Wagner", "Wagner")).empty());
  }
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("wirewatch-rules-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

TEST(RuleLoader, DuplicateIdsAcrossFilesNameTheFirst) {
  TempDir dir;
  const auto a = dir.write("a.yaml", "rules:\n  - id: one\n    query: x\n  - id: two\n    query: y\n");
  const auto b = dir.write("b.yaml", "rules:\n  - id: three\n    query: z\n  - id: two\n    query: w\n");
  auto r = load_rules({dir.path()});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(headlines(r), std::vector<std::string>{b.string() +
                                                   ":4:5: error: duplicate rule id `two` (first "
                                                   "defined at " +
                                                   a.string() + ":4:5)"});
}

TEST(RuleLoader, ErrorsOfEveryFileAreReported) {
  TempDir dir;
  const auto a = dir.write("a.yaml", "rules:\n  - id: one\n    query: x AND\n");
  const auto b = dir.write("b.yaml", "rules:\n  - id: two\n    query: y\n    severity: huge\n");
  const auto c = dir.write("c.yaml", "rules: [\n");
  auto r = load_rules({a, b, c, dir.path() / "missing.yaml"});
  EXPECT_FALSE(r.ok());
  const auto h = headlines(r);
  ASSERT_EQ(h.size(), 4u) << r.diagnostics.render();
  EXPECT_EQ(h[0], a.string() + ":3:17: error: " + msg::expected_operand_after("AND", msg::kEndOfQuery));
  EXPECT_EQ(h[1], b.string() + ":4:15: error: " + msg::invalid_severity("huge"));
  EXPECT_EQ(h[2].rfind(c.string() + ":", 0), 0u) << h[2];
  EXPECT_EQ(h[3].rfind((dir.path() / "missing.yaml").string() + ": error: cannot read file", 0), 0u) << h[3];
}

TEST(RuleLoader, DirectoriesLoadTheirYamlFilesInNameOrder) {
  auto r = load_rules({fixtures() / "rules" / "dir"});
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  std::vector<std::string> loaded;
  for (const auto& info : r.rules->rules()) loaded.push_back(info.id);
  EXPECT_EQ(loaded, (std::vector<std::string>{"first", "first-b", "second", "third"}));
  EXPECT_EQ(r.rules->rules()[2].where.file, (fixtures() / "rules" / "dir" / "20-second.yaml").string());
  EXPECT_EQ(r.rules->rules()[3].severity, Severity::low);
  // Matches come in rule order.
  auto matches = r.rules->match(TextDocument("beta", "delta alpha; joint combat training"));
  EXPECT_EQ(ids(matches), (std::vector<std::string>{"first", "first-b", "second", "third"}));
}

TEST(RuleLoader, FilesLoadInTheOrderGiven) {
  auto dir = fixtures() / "rules" / "dir";
  auto r = load_rules({dir / "20-second.yaml", dir / "10-first.yaml"});
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  ASSERT_EQ(r.rules->size(), 3u);
  EXPECT_EQ(r.rules->rules()[0].id, "second");
  EXPECT_EQ(r.rules->rules()[1].id, "first");
}

// ---- matching ----------------------------------------------------------------

struct Seed {
  std::string name;
  TextDocument doc;
};

std::vector<Seed> seeds() {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(fixtures() / "seeds")) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<Seed> out;
  for (const auto& p : paths) out.push_back({p.filename().string().substr(0, 3), testing::read_record(p)});
  return out;
}

TEST(RuleMatcher, WagnerInstructorsMatchesExactlyTheRightSeeds) {
  auto r = load_rules({fixtures() / "rules" / "wagner.yaml"});
  ASSERT_TRUE(r.ok()) << r.diagnostics.render();
  std::vector<std::string> matched;
  for (const auto& seed : seeds()) {
    auto matches = r.rules->match(seed.doc);
    if (matches.empty()) continue;
    matched.push_back(seed.name);
    ASSERT_EQ(matches.size(), 1u);
    const Match& m = matches[0];
    EXPECT_EQ(m.rule_id, "wagner-instructors");
    EXPECT_EQ(m.topic, "alerts.wagner");
    EXPECT_EQ(m.severity, Severity::high);
    EXPECT_EQ(m.matched, (std::vector<std::string>{"Wagner", "instructors"}));
    ASSERT_FALSE(m.hits.empty());
    for (const auto& hit : m.hits) {
      const auto text = slice(seed.doc.text(hit.field), hit.offset, hit.length);
      EXPECT_EQ(fold_case(text), fold_case(hit.term)) << seed.name << " " << hit.offset;
    }
    // Title hits first, then body, each by offset.
    for (std::size_t i = 1; i < m.hits.size(); ++i) {
      const auto& a = m.hits[i - 1];
      const auto& b = m.hits[i];
      EXPECT_TRUE(a.field < b.field || (a.field == b.field && a.offset < b.offset)) << seed.name;
    }
    EXPECT_LE(code_point_count(m.snippet), 300u);
    EXPECT_NE(seed.doc.text(m.hits[0].field).find(m.snippet), std::string_view::npos);
  }
  EXPECT_EQ(matched, (std::vector<std::string>{"000", "003", "004"}));
}

TEST(RuleMatcher, HitsCoverEveryOccurrenceWithCodePointOffsets) {
  auto all = seeds();
  const Document& doc = all[0].doc;
  auto set = rules_of({"Wagner AND instructors"});
  auto matches = set->match(doc);
  ASSERT_EQ(matches.size(), 1u);
  const auto& hits = matches[0].hits;
  // The title "Belarus Eyes Joint Training With Wagner: ..." has the first hit.
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].field, Field::title);
  EXPECT_EQ(hits[0].term, "Wagner");
  EXPECT_EQ(hits[0].offset, 33u);
  EXPECT_EQ(hits[0].length, 6u);
  std::size_t wagner = 0, instructors = 0;
  for (const auto& h : hits) (h.term == "Wagner" ? wagner : instructors)++;
  EXPECT_EQ(wagner, 8u);
  EXPECT_EQ(instructors, 1u);
  // The body has a typographic apostrophe before the hits: offsets count code points.
  for (const auto& h : hits) {
    if (h.field != Field::body) continue;
    EXPECT_EQ(slice(doc.text(Field::body), h.offset, h.length), h.term);
  }
  EXPECT_EQ(matches[0].snippet, std::string(doc.text(Field::title)));
}

TEST(RuleMatcher, SnippetIsTheSentenceAroundTheFirstHit) {
  auto all = seeds();
  auto set = rules_of({"Wagner AND instructors"});
  auto matches = set->match(all[3].doc);  // 003: no hit in the title
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].hits.at(0).field, Field::body);
  EXPECT_EQ(matches[0].snippet,
            "Other events included the completion of a training course for a group of servicemen "
            "of the Internal Troops with the participation of Wagner mercenaries as instructors, "
            "and a training session on territorial defense.");
}

TEST(RuleMatcher, PhrasesAndSeparatorWordsMatchConsecutiveWords) {
  auto all = seeds();
  auto set = rules_of({"\"joint combat training\"", "Volat-V2", "nation’s AND internal"});
  auto m0 = set->match(all[0].doc);
  EXPECT_EQ(ids(m0), (std::vector<std::string>{"r0", "r2"}));
  ASSERT_FALSE(m0.empty());
  ASSERT_EQ(m0[0].hits.size(), 1u);
  EXPECT_EQ(m0[0].matched, (std::vector<std::string>{"\"joint combat training\""}));
  EXPECT_EQ(m0[0].hits[0].term, "\"joint combat training\"");
  EXPECT_EQ(m0[0].hits[0].length, 21u);
  EXPECT_EQ(slice(all[0].doc.text(Field::body), m0[0].hits[0].offset, 21), "joint combat training");
  auto apostrophe_at =
      std::find_if(m0[1].hits.begin(), m0[1].hits.end(), [](const Hit& h) { return h.term == "nation’s"; });
  ASSERT_NE(apostrophe_at, m0[1].hits.end());
  const Hit& apostrophe = *apostrophe_at;
  EXPECT_EQ(apostrophe.term, "nation’s");
  EXPECT_EQ(slice(all[0].doc.text(apostrophe.field), apostrophe.offset, apostrophe.length), "nation’s");

  auto m3 = set->match(all[3].doc);
  ASSERT_EQ(ids(m3), (std::vector<std::string>{"r1"}));
  EXPECT_EQ(m3[0].matched, (std::vector<std::string>{"Volat-V2"}));
  ASSERT_EQ(m3[0].hits.size(), 2u);
  for (const auto& h : m3[0].hits) EXPECT_EQ(slice(all[3].doc.text(h.field), h.offset, h.length), "Volat-V2");
  // 002 writes "Joint Combat Training Centres" and "joint combat training centres".
  auto m2 = set->match(all[2].doc);
  ASSERT_EQ(ids(m2), (std::vector<std::string>{"r0"}));
  EXPECT_GE(m2[0].hits.size(), 2u);
}

TEST(RuleMatcher, PhrasesNeverSpanParagraphsOrFields) {
  auto set = rules_of({"\"beta gamma\""});
  EXPECT_TRUE(set->match(TextDocument("t", "alpha beta\n\ngamma delta")).empty());
  EXPECT_TRUE(set->match(TextDocument("t", "alpha beta\n  \ngamma delta")).empty());
  EXPECT_TRUE(set->match(TextDocument("alpha beta", "gamma delta")).empty());
  // One line break keeps the paragraph.
  auto m = set->match(TextDocument("t", "alpha beta\ngamma delta"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].hits.at(0).offset, 6u);
  EXPECT_EQ(m[0].hits.at(0).length, 10u);
}

TEST(RuleMatcher, WholeWordsOnlyAndCaseInsensitive) {
  auto set = rules_of({"train"});
  EXPECT_TRUE(set->match(TextDocument("Training trains", "restrain")).empty());
  auto m = set->match(TextDocument("TRAIN", "to Train, a train"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].hits.size(), 3u);
  EXPECT_EQ(m[0].matched, (std::vector<std::string>{"train"}));
}

TEST(RuleMatcher, CyrillicIsCaseInsensitive) {
  auto set = rules_of({"лукашенко", "ЛУКАШЕНКО AND минск"});
  TextDocument doc("Новости", "Президент Лукашенко заявил. В Минске тихо.");
  auto m = set->match(doc);
  ASSERT_EQ(ids(m), (std::vector<std::string>{"r0"}));  // Минске is not минск
  ASSERT_EQ(m[0].hits.size(), 1u);
  EXPECT_EQ(m[0].hits[0].offset, 10u);
  EXPECT_EQ(m[0].hits[0].length, 9u);
  EXPECT_EQ(slice(doc.text(Field::body), 10, 9), "Лукашенко");
  EXPECT_EQ(m[0].snippet, "Президент Лукашенко заявил.");
  EXPECT_EQ(ids(set->match(TextDocument("ЛУКАШЕНКО в Минск", ""))), (std::vector<std::string>{"r0", "r1"}));
}

TEST(RuleMatcher, NotExcludes) {
  auto all = seeds();
  auto set = rules_of({"instructors AND NOT Wagner", "NOT alpha AND beta"});
  std::vector<std::string> matched;
  for (const auto& seed : all)
    if (!set->match(seed.doc).empty()) matched.push_back(seed.name);
  EXPECT_EQ(matched, (std::vector<std::string>{"001"}));
  EXPECT_EQ(ids(set->match(TextDocument("beta", ""))), (std::vector<std::string>{"r1"}));
  EXPECT_TRUE(set->match(TextDocument("beta", "alpha")).empty());
}

TEST(RuleMatcher, TermsUnderNotAreNeverReported) {
  auto set = rules_of({"x AND NOT (y AND z)"});
  auto m = set->match(TextDocument("x y", "y x"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].matched, (std::vector<std::string>{"x"}));
  ASSERT_EQ(m[0].hits.size(), 2u);
  for (const auto& h : m[0].hits) EXPECT_EQ(h.term, "x");
  EXPECT_TRUE(set->match(TextDocument("x y", "z")).empty());
}

TEST(RuleMatcher, MatchedTermsAreAsWrittenInQueryOrderAndHitsTitleFirst) {
  auto set = rules_of({"Gamma OR beta OR ALPHA OR delta"});
  auto m = set->match(TextDocument("beta", "alpha beta gamma"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].matched, (std::vector<std::string>{"Gamma", "beta", "ALPHA"}));
  std::vector<std::string> order;
  for (const auto& h : m[0].hits)
    order.push_back(std::string(field_name(h.field)) + ":" + std::to_string(h.offset) + ":" + h.term);
  EXPECT_EQ(order,
            (std::vector<std::string>{"title:0:beta", "body:0:ALPHA", "body:6:beta", "body:11:Gamma"}));
  EXPECT_EQ(m[0].snippet, "beta");
}

TEST(RuleMatcher, OnlyTermsOfSatisfiedBranchesAreReported) {
  auto set = rules_of({"(a AND b) OR c"});
  auto m = set->match(TextDocument("", "a c"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].matched, (std::vector<std::string>{"c"}));
  EXPECT_TRUE(set->match(TextDocument("", "a")).empty());
}

TEST(RuleMatcher, SnippetsFollowSentenceAndParagraphBoundaries) {
  auto set = rules_of({"target"});
  auto snip = [&](const std::string& body) {
    auto m = set->match(TextDocument("", body));
    return m.empty() ? std::string("<no match>") : m[0].snippet;
  };
  EXPECT_EQ(snip("First one here. Second has the Target word! Third one."), "Second has the Target word!");
  EXPECT_EQ(snip("No end mark here\n\nTarget paragraph\nwith two lines\n\nNext"),
            "Target paragraph\nwith two lines");
  EXPECT_EQ(snip("Why? “Target, yes…” Then more."), "“Target, yes…” Then more.");
  EXPECT_EQ(snip("Why? Target, yes… Then more."), "Target, yes…");
  EXPECT_EQ(snip("Version 2.0 target here. Done"), "Version 2.0 target here.");
}

TEST(RuleMatcher, LongSentencesGiveAWindowOfWholeWords) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += "word" + std::to_string(i) + " ";
  body += "Target ";
  for (int i = 200; i < 400; ++i) body += "мир" + std::to_string(i) + " ";
  body += "end.";
  auto set = rules_of({"target"});
  auto m = set->match(TextDocument("", body));
  ASSERT_EQ(m.size(), 1u);
  const std::string& s = m[0].snippet;
  EXPECT_LE(code_point_count(s), 300u);
  EXPECT_GE(code_point_count(s), 280u);
  const auto at = body.find(s);
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(s.find("Target"), std::string::npos);
  // Cut at word boundaries: whole words at both ends.
  EXPECT_EQ(body[at - 1], ' ');
  EXPECT_EQ(body[at + s.size()], ' ');
  EXPECT_EQ(s.rfind("word", 0), 0u) << s;
}

TEST(RuleMatcher, RequiredTermsIndexFindsEveryKindOfRule) {
  // Rules reachable only through an OR branch, a phrase's other word, or an AND's
  // non-first child must still be evaluated.
  auto set = rules_of({"a OR (b AND c)", "\"quick brown\"", "NOT x AND (y OR z)", "p AND q"});
  EXPECT_EQ(ids(set->match(TextDocument("", "b c"))), (std::vector<std::string>{"r0"}));
  EXPECT_EQ(ids(set->match(TextDocument("", "the quick brown fox"))), (std::vector<std::string>{"r1"}));
  EXPECT_TRUE(set->match(TextDocument("", "brown quick")).empty());
  EXPECT_EQ(ids(set->match(TextDocument("", "z"))), (std::vector<std::string>{"r2"}));
  EXPECT_TRUE(set->match(TextDocument("", "z x")).empty());
  EXPECT_EQ(ids(set->match(TextDocument("q", "p"))), (std::vector<std::string>{"r3"}));
  EXPECT_TRUE(set->match(TextDocument("", "p")).empty());
}

TEST(RuleMatcher, ManyRulesOnlyMatchWhatOccurs) {
  std::vector<std::string> queries;
  for (int i = 0; i < 2000; ++i) queries.push_back("w" + std::to_string(i) + " AND shared");
  auto set = rules_of(queries);
  ASSERT_EQ(set->size(), 2000u);
  EXPECT_EQ(ids(set->match(TextDocument("w17 shared", "w1999"))), (std::vector<std::string>{"r17", "r1999"}));
  EXPECT_TRUE(set->match(TextDocument("shared", "w2000")).empty());
}

}  // namespace
}  // namespace wirewatch::rules
