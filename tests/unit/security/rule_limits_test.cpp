// Rule-side limits: query length and nesting depth, rule count, YAML size and
// depth.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "wirewatch/common/yaml.hpp"
#include "wirewatch/rules/query.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {
namespace {

std::string nested(int depth, const std::string &inner = "wagner") {
  return std::string(static_cast<std::size_t>(depth), '(') + inner +
         std::string(static_cast<std::size_t>(depth), ')');
}

bool mentions(const std::vector<QueryProblem> &problems, const std::string &needle) {
  for (const auto &p : problems)
    if (p.message.find(needle) != std::string::npos) return true;
  return false;
}

TEST(RuleLimits, DeepParenthesesAreRefusedNotRecursedInto) {
  EXPECT_TRUE(parse_query(nested(99)).root);  // within the default of 100
  auto deep = parse_query(nested(10'000));
  EXPECT_FALSE(deep.root);
  EXPECT_TRUE(mentions(deep.errors, "limits.max_query_depth"));
  auto unclosed = parse_query(std::string(100'000, '('));
  EXPECT_FALSE(unclosed.root);
  EXPECT_FALSE(unclosed.errors.empty());  // refused (unbalanced or too deep), not a crash
  QueryLimits tight;
  tight.max_depth = 3;
  EXPECT_TRUE(parse_query(nested(2), {}, tight).root);
  EXPECT_FALSE(parse_query(nested(5), {}, tight).root);
}

TEST(RuleLimits, NotChainsAndPrefixChainsCountAsNesting) {
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  auto r = parse_query("wagner AND " + nots + "instructors");
  EXPECT_FALSE(r.root);
  EXPECT_TRUE(mentions(r.errors, "limits.max_query_depth"));
  std::string prefixes;
  for (int i = 0; i < 5000; ++i) prefixes += "case:";
  auto p = parse_query(prefixes + "Wagner");
  EXPECT_FALSE(p.root);
  EXPECT_TRUE(mentions(p.errors, "limits.max_query_depth"));
}

TEST(RuleLimits, LongQueriesAreRefused) {
  QueryLimits limits;
  limits.max_length = 20;
  auto r = parse_query("wagner AND instructors AND belarus", {}, limits);
  EXPECT_FALSE(r.root);
  EXPECT_TRUE(mentions(r.errors, "limits.max_query_length"));
  EXPECT_TRUE(parse_query("wagner", {}, limits).root);
}

TEST(RuleLimits, TheLoaderCountsRulesAndNamesTheTrippedLimit) {
  auto dir = std::filesystem::temp_directory_path() / ("ww-rule-limits-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string &name, const std::string &text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  };
  std::string three = "rules:\n";
  for (int i = 0; i < 3; ++i)
    three += "  - id: r" + std::to_string(i) + "\n    query: word" + std::to_string(i) + "\n";
  auto file = write("three.yaml", three);
  RuleLimits limits;
  limits.max_rules = 2;
  auto r = load_rules({file}, limits);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.limits_tripped, std::vector<std::string>{"max_rules"});
  ASSERT_FALSE(r.diagnostics.items().empty());
  EXPECT_NE(r.diagnostics.items()[0].headline().find(file.string() + ":6:"),
            std::string::npos)
      << r.diagnostics.items()[0].headline();  // points at the third rule
  EXPECT_TRUE(load_rules({file}).ok());

  auto deep =
      load_rules({write("deep.yaml", "rules:\n  - id: deep\n    query: \"" + nested(10'000) + "\"\n")});
  EXPECT_FALSE(deep.ok());
  EXPECT_EQ(deep.limits_tripped, std::vector<std::string>{"max_query_depth"});

  RuleLimits small;
  small.yaml.max_bytes = 16;
  auto big = load_rules({file}, small);
  EXPECT_FALSE(big.ok());
  EXPECT_EQ(big.limits_tripped, std::vector<std::string>{"max_yaml_bytes"});

  // YAML nested 10,000 deep: refused (by yaml-cpp's own guard or ours), not a
  // crash.
  std::string yaml_deep = "rules: " + std::string(10'000, '[') + std::string(10'000, ']') + "\n";
  auto y = load_rules({write("yaml-deep.yaml", yaml_deep)});
  EXPECT_FALSE(y.ok());
  EXPECT_EQ(y.limits_tripped, std::vector<std::string>{"max_yaml_depth"});
  std::filesystem::remove_all(dir);
}

TEST(RuleLimits, YamlDepthIsCheckedWhereItIsExceeded) {
  Diagnostics diags;
  YamlLimits limits;
  limits.max_depth = 3;
  YamlLimitTripped tripped = YamlLimitTripped::none;
  EXPECT_TRUE(parse_yaml("ok.yaml", "a:\n  b:\n    c: 1\n", diags, limits, &tripped));
  EXPECT_EQ(tripped, YamlLimitTripped::none);
  EXPECT_FALSE(parse_yaml("deep.yaml", "a:\n  b:\n    c:\n      d: 1\n", diags, limits, &tripped));
  EXPECT_EQ(tripped, YamlLimitTripped::depth);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].headline(),
            "deep.yaml:4:7: error: nested more than 3 levels deep "
            "(limits.max_yaml_depth)");
}

}  // namespace
}  // namespace wirewatch::rules
