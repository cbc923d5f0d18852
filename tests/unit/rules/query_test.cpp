#include "wirewatch/rules/query.hpp"

#include <gtest/gtest.h>

#include "wirewatch/rules/messages.hpp"

namespace wirewatch::rules {
namespace {

namespace msg = messages;
using Kind = QueryNode::Kind;

// A compact rendering of the tree: terms as written, operators as AND(...), OR(...), NOT(...).
std::string show(const QueryNode& n) {
  switch (n.kind) {
    case Kind::term:
    case Kind::meta:
      return n.written;
    case Kind::not_:
      return "NOT(" + show(*n.children.at(0)) + ")";
    case Kind::near:
    case Kind::and_:
    case Kind::or_: {
      std::string out = n.kind == Kind::and_ ? "AND(" : n.kind == Kind::or_ ? "OR(" : "NEAR(";
      for (std::size_t i = 0; i < n.children.size(); ++i) out += (i ? ", " : "") + show(*n.children[i]);
      return out + ")";
    }
  }
  return "?";
}

std::string parse_ok(std::string_view q) {
  auto p = parse_query(q);
  EXPECT_TRUE(p.errors.empty()) << q << ": " << (p.errors.empty() ? "" : p.errors[0].message);
  return p.root ? show(*p.root) : std::string("<null>");
}

// The single error of a query: "offset: message".
std::string error_of(std::string_view q) {
  auto p = parse_query(q);
  EXPECT_EQ(p.root, nullptr) << q;
  if (p.errors.size() != 1) return "expected one error, got " + std::to_string(p.errors.size());
  return std::to_string(p.errors[0].offset) + ": " + p.errors[0].message;
}

std::string at(int offset, const std::string& message) { return std::to_string(offset) + ": " + message; }

TEST(QueryParser, SingleWord) {
  auto p = parse_query("Wagner");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_NE(p.root, nullptr);
  EXPECT_EQ(p.root->kind, Kind::term);
  EXPECT_EQ(p.root->written, "Wagner");
  EXPECT_EQ(p.root->words, (std::vector<std::string>{"wagner"}));
  EXPECT_EQ(p.root->offset, 0);
  EXPECT_TRUE(p.warnings.empty());
}

TEST(QueryParser, EveryOperator) {
  EXPECT_EQ(parse_ok("a AND b"), "AND(a, b)");
  EXPECT_EQ(parse_ok("a OR b"), "OR(a, b)");
  EXPECT_EQ(parse_ok("a AND NOT b"), "AND(a, NOT(b))");
  EXPECT_EQ(parse_ok("a AND b AND c"), "AND(a, b, c)");
  EXPECT_EQ(parse_ok("a OR b OR c"), "OR(a, b, c)");
}

TEST(QueryParser, PrecedenceIsNotThenAndThenOr) {
  EXPECT_EQ(parse_ok("a OR b AND c"), "OR(a, AND(b, c))");
  EXPECT_EQ(parse_ok("a AND b OR c"), "OR(AND(a, b), c)");
  EXPECT_EQ(parse_ok("x AND NOT a OR b"), "OR(AND(x, NOT(a)), b)");
  EXPECT_EQ(parse_ok("NOT a AND b"), "AND(NOT(a), b)");
}

TEST(QueryParser, ParenthesesGroup) {
  EXPECT_EQ(parse_ok("(a OR b) AND c"), "AND(OR(a, b), c)");
  EXPECT_EQ(parse_ok("a AND (b OR (c AND NOT d))"), "AND(a, OR(b, AND(c, NOT(d))))");
  auto p = parse_query("x AND (a OR b)");
  ASSERT_NE(p.root, nullptr);
  EXPECT_EQ(p.root->children.at(1)->offset, 6);  // a group starts at its `(`
  auto q = parse_query("((Wagner))");
  ASSERT_NE(q.root, nullptr);
  EXPECT_EQ(q.root->offset, 2);  // a term keeps its own offset
}

TEST(QueryParser, WordsSideBySideMeanAnd) {
  EXPECT_EQ(parse_ok("a b c"), "AND(a, b, c)");
  EXPECT_EQ(parse_ok("a b OR c"), "OR(AND(a, b), c)");
  EXPECT_EQ(parse_ok("a NOT b"), "AND(a, NOT(b))");
  EXPECT_EQ(parse_ok("a (b OR c)"), "AND(a, OR(b, c))");
  EXPECT_EQ(parse_ok("a\"b c\""), "AND(a, \"b c\")");
}

TEST(QueryParser, LowercaseOperatorsAreWordsWithAWarning) {
  auto p = parse_query("rock and roll");
  ASSERT_NE(p.root, nullptr);
  EXPECT_EQ(show(*p.root), "AND(rock, and, roll)");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].offset, 5);
  EXPECT_EQ(p.warnings[0].message, msg::lowercase_operator("and", "AND"));
  EXPECT_EQ(p.warnings[0].message, "`and` is matched as a word; the operator is written `AND`");
  EXPECT_EQ(parse_ok("Or not"), "AND(Or, not)");
}

TEST(QueryParser, PhrasesKeepTheirWordsAndQuotes) {
  auto p = parse_query("Wagner AND \"Joint  Combat training\"");
  ASSERT_NE(p.root, nullptr);
  const auto& phrase = *p.root->children.at(1);
  EXPECT_EQ(phrase.kind, Kind::term);
  EXPECT_EQ(phrase.written, "\"Joint  Combat training\"");
  EXPECT_EQ(phrase.words, (std::vector<std::string>{"joint", "combat", "training"}));
  EXPECT_EQ(phrase.offset, 11);
  // Operator words inside quotes are words.
  auto q = parse_query("\"rock AND roll\"");
  ASSERT_NE(q.root, nullptr);
  EXPECT_EQ(q.root->words, (std::vector<std::string>{"rock", "and", "roll"}));
}

TEST(QueryParser, WordsWithSeparatorsArePhrasesOfTheirParts) {
  auto p = parse_query("Volat-V2 OR nation’s OR Лукашенко");
  ASSERT_NE(p.root, nullptr);
  ASSERT_EQ(p.root->children.size(), 3u);
  EXPECT_EQ(p.root->children[0]->written, "Volat-V2");
  EXPECT_EQ(p.root->children[0]->words, (std::vector<std::string>{"volat", "v2"}));
  EXPECT_EQ(p.root->children[1]->written, "nation’s");
  EXPECT_EQ(p.root->children[1]->words, (std::vector<std::string>{"nation", "s"}));
  EXPECT_EQ(p.root->children[2]->words, (std::vector<std::string>{"лукашенко"}));
  EXPECT_EQ(p.root->children[2]->offset, 24);  // code points, not bytes
}

TEST(QueryParser, EmptyQuery) {
  EXPECT_EQ(error_of(""), at(0, msg::empty_query()));
  EXPECT_EQ(error_of("   "), at(0, msg::empty_query()));
  EXPECT_EQ(msg::empty_query(), "empty query: expected a word, a \"phrase\", `(` or `NOT`");
}

TEST(QueryParser, DanglingOperators) {
  EXPECT_EQ(error_of("Wagner AND"), at(10, msg::expected_operand_after("AND", "end of query")));
  EXPECT_EQ(error_of("Wagner AND"),
            "10: expected a word, a \"phrase\", `(` or `NOT` after `AND`, found end of query");
  EXPECT_EQ(error_of("a OR"), at(4, msg::expected_operand_after("OR", "end of query")));
  EXPECT_EQ(error_of("NOT"), at(3, msg::expected_operand_after("NOT", "end of query")));
  EXPECT_EQ(error_of("AND Wagner"), at(0, msg::expected_operand("`AND`")));
  EXPECT_EQ(error_of("AND Wagner"), "0: expected a word, a \"phrase\", `(` or `NOT`, found `AND`");
  EXPECT_EQ(error_of("OR b"), at(0, msg::expected_operand("`OR`")));
  EXPECT_EQ(error_of("a OR OR b"), at(5, msg::expected_operand_after("OR", "`OR`")));
  EXPECT_EQ(error_of("a AND OR b"), at(6, msg::expected_operand_after("AND", "`OR`")));
  EXPECT_EQ(error_of("a AND NOT"), at(9, msg::expected_operand_after("NOT", "end of query")));
}

TEST(QueryParser, UnbalancedParentheses) {
  EXPECT_EQ(error_of("(a OR b"), at(7, msg::expected_close_paren("end of query")));
  EXPECT_EQ(error_of("(a OR b"), "7: expected `)` to close `(`, found end of query");
  EXPECT_EQ(error_of("a OR b)"), at(6, msg::unmatched_close_paren()));
  EXPECT_EQ(error_of("a OR b)"),
            "6: expected an operator, a term or end of query, found `)` without a matching `(`");
  EXPECT_EQ(error_of("()"), at(1, msg::expected_operand("`)`")));
  EXPECT_EQ(error_of("((a) OR b"), at(9, msg::expected_close_paren("end of query")));
  EXPECT_EQ(error_of("a ("), at(3, msg::expected_operand("end of query")));
}

TEST(QueryParser, BadPhrasesAndNonWords) {
  EXPECT_EQ(error_of("a \"b c"), at(2, msg::unterminated_phrase()));
  EXPECT_EQ(error_of("a \"b c"), "2: unterminated phrase: expected a closing `\"` before end of query");
  EXPECT_EQ(error_of("a \"\""), at(2, msg::empty_phrase()));
  EXPECT_EQ(error_of("a \" - \" b"), at(2, msg::empty_phrase()));
  EXPECT_EQ(error_of("a && b"), at(2, msg::no_word("&&")));
  EXPECT_EQ(error_of("a && b"), "2: expected a word, found `&&` (it has no letters or digits)");
}

TEST(QueryParser, ErrorOffsetsCountCodePoints) {
  EXPECT_EQ(error_of("Лукашенко AND"), at(13, msg::expected_operand_after("AND", "end of query")));
  EXPECT_EQ(error_of("«Лукашенко» OR )"), at(15, msg::expected_operand_after("OR", "`)`")));
}

TEST(QueryParser, QueriesThatCanNeverMatchAreErrors) {
  EXPECT_EQ(error_of("NOT x"), at(0, msg::never_matches()));
  EXPECT_EQ(error_of("NOT x"), "0: query can never match: expected a term that is not under `NOT`");
  EXPECT_EQ(error_of("NOT a AND NOT b"), at(0, msg::never_matches()));
  EXPECT_EQ(error_of("NOT a NOT b"), at(0, msg::never_matches()));
  EXPECT_EQ(error_of("NOT NOT x"), at(0, msg::never_matches()));
  EXPECT_EQ(error_of("(NOT a)"), at(0, msg::never_matches()));
  EXPECT_EQ(error_of("a OR NOT b"), at(5, msg::or_branch_never_matches()));
  EXPECT_EQ(error_of("a OR (NOT b AND NOT c)"), at(5, msg::or_branch_never_matches()));
  // A positive term anywhere in an AND is enough.
  EXPECT_EQ(parse_ok("NOT a AND b"), "AND(NOT(a), b)");
  EXPECT_EQ(parse_ok("x AND (a OR NOT b)"), "AND(x, OR(a, NOT(b)))");
}

}  // namespace
}  // namespace wirewatch::rules
