// A thread keeps what it learnt about words across records (their atoms and
// prefixes in a rule set): matches must not depend on which records, or which
// rule sets, the thread matched before.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {
namespace {

std::shared_ptr<const RuleSet> compile(const std::vector<std::pair<std::string, std::string>>& queries) {
  std::vector<RuleDefinition> defs;
  for (const auto& [id, query] : queries) {
    RuleDefinition d;
    d.id = id;
    d.query = query;
    defs.push_back(std::move(d));
  }
  auto r = compile_rules(defs);
  EXPECT_TRUE(r.ok()) << r.diagnostics.render();
  return r.rules;
}

// Every field of every match, one line each.
std::string render(const std::vector<Match>& matches) {
  std::ostringstream out;
  for (const auto& m : matches) {
    out << m.rule_id << " [";
    for (const auto& t : m.matched) out << t << ";";
    out << "] ";
    for (const auto& h : m.hits)
      out << h.term << "@" << field_name(h.field) << ":" << h.offset << "+" << h.length << " ";
    out << "<" << m.snippet << ">\n";
  }
  return out.str();
}

// What a thread that has matched nothing before finds.
std::string fresh(const RuleSet& set, const TextDocument& doc) {
  std::string out;
  std::thread([&] { out = render(set.match(doc)); }).join();
  return out;
}

std::vector<TextDocument> records() {
  return {
      TextDocument("Wagner instructors arrive",
                   "Wagner mercenaries trained Belarusian troops. Instruction went on."),
      TextDocument("Лукашенко встретился", "Президент Лукашенко заявил. Wagner ушёл."),
      TextDocument("Joint combat training",
                   "The joint combat training of Wagner and the army. ALMAZ and Almaz."),
      TextDocument("Nothing here", "Weather and sports only, organisation and organization."),
  };
}

TEST(MatchCache, MatchesDoNotDependOnEarlierRecords) {
  const auto set = compile({{"a", "wagner AND instruct*"},
                            {"b", "\"joint combat training\""},
                            {"c", "лукашенко NEAR/s wagner"},
                            {"d", "case:Almaz"},
                            {"e", "organi?ation OR instruction"},
                            {"f", "title:wagner -weather"}});
  ASSERT_TRUE(set);
  const auto docs = records();
  std::vector<std::string> expected;
  for (const auto& d : docs) expected.push_back(fresh(*set, d));
  EXPECT_NE(expected[0], "");
  // Forwards, backwards and repeated: the same matches every time.
  for (int pass = 0; pass < 3; ++pass) {
    for (std::size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(render(set->match(docs[i])), expected[i]) << i;
    for (std::size_t i = docs.size(); i-- > 0;) EXPECT_EQ(render(set->match(docs[i])), expected[i]) << i;
  }
}

TEST(MatchCache, MatchesDoNotDependOnOtherRuleSets) {
  // The same words are different atoms in each set (their rules list them in a
  // different order, with other words and prefixes around them).
  const auto first = compile({{"x", "wagner AND troops"}, {"y", "instruct* OR лукашенко"}});
  const auto second = compile({{"p", "лукашенко OR sports"}, {"q", "wag* AND training"}, {"r", "troops"}});
  ASSERT_TRUE(first && second);
  const auto docs = records();
  std::vector<std::string> expected_first, expected_second;
  for (const auto& d : docs) {
    expected_first.push_back(fresh(*first, d));
    expected_second.push_back(fresh(*second, d));
  }
  EXPECT_NE(expected_first[0], expected_second[0]);
  for (int pass = 0; pass < 3; ++pass)
    for (std::size_t i = 0; i < docs.size(); ++i) {
      EXPECT_EQ(render(first->match(docs[i])), expected_first[i]) << i;
      EXPECT_EQ(render(second->match(docs[i])), expected_second[i]) << i;
    }
  // A set compiled after another was freed is new to the thread, wherever it lives.
  for (int round = 0; round < 3; ++round) {
    auto again = compile({{"q", "wag* AND training"}, {"p", "лукашенко OR sports"}, {"r", "troops"}});
    ASSERT_TRUE(again);
    for (std::size_t i = 0; i < docs.size(); ++i)
      EXPECT_EQ(render(again->match(docs[i])), fresh(*again, docs[i])) << i;
  }
}

}  // namespace
}  // namespace wirewatch::rules
