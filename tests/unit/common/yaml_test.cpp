#include "wirewatch/common/yaml.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(Yaml, SyntaxErrorIsLocated) {
  Diagnostics d;
  auto doc = parse_yaml("bad.yaml", "a: [1, 2\nb: 3\n", d);
  EXPECT_FALSE(doc);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].where.file, "bad.yaml");
  EXPECT_GT(d.items()[0].where.line, 0);
  EXPECT_TRUE(d.has_errors());
}

TEST(Yaml, DuplicateKeysAreErrorsEverywhere) {
  Diagnostics d;
  auto doc = parse_yaml("dup.yaml", "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", d);
  EXPECT_FALSE(doc);
  ASSERT_EQ(d.items().size(), 2u);
  std::vector<std::string> heads;
  for (const auto& i : d.items()) heads.push_back(i.headline());
  EXPECT_NE(std::find(heads.begin(), heads.end(), "dup.yaml:4:3: error: duplicate key `c`"), heads.end());
  EXPECT_NE(std::find(heads.begin(), heads.end(), "dup.yaml:5:1: error: duplicate key `a`"), heads.end());
}

TEST(Yaml, ColumnsCountCodePoints) {
  Diagnostics d;
  auto doc = parse_yaml("u.yaml", "name: [\"Лукашенко\", x]\n", d);
  ASSERT_TRUE(doc);
  auto x = doc->root()["name"][1];
  auto where = doc->location(x);
  EXPECT_EQ(where.line, 1);
  // `name: ["Лукашенко", ` is 20 code points; x is the 21st.
  EXPECT_EQ(where.column, 21);
}

TEST(Yaml, UnknownKeysNameTheExpectedOnes) {
  Diagnostics d;
  auto doc = parse_yaml("k.yaml", "alpha: 1\nbeta: 2\n", d);
  ASSERT_TRUE(doc);
  EXPECT_FALSE(doc->check_keys(doc->root(), {"alpha"}, "test", d));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].headline(),
            "k.yaml:2:1: error: unknown key `beta` in test (expected one of: alpha)");
  EXPECT_NE(d.items()[0].render().find("  beta: 2\n  ^\n"), std::string::npos);
}

TEST(Yaml, InvalidUtf8IsRejected) {
  Diagnostics d;
  EXPECT_FALSE(parse_yaml("x.yaml", "a: \xFF\n", d));
  EXPECT_TRUE(d.has_errors());
}
