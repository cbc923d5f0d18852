// Parser tests for the full query language: every operator, field and modifier,
// and every error with its exact text and offset.
#include <gtest/gtest.h>

#include "wirewatch/rules/messages.hpp"
#include "wirewatch/rules/query.hpp"

namespace wirewatch::rules {
namespace {

namespace msg = messages;
using Kind = QueryNode::Kind;

const QueryLists kLists = {
    {"leaders", {"Lukashenko", "Lukashenka", "Alexander Lukashenko", "Лукашенко"}},
    {"one", {"Minsk"}},
    {"empty", {}},
};

std::string tree(std::string_view q) {
  auto p = parse_query(q, kLists);
  EXPECT_TRUE(p.errors.empty()) << q << ": " << (p.errors.empty() ? "" : p.errors[0].message);
  return p.root ? describe(*p.root) : std::string("<null>");
}

std::string error_of(std::string_view q) {
  auto p = parse_query(q, kLists);
  EXPECT_EQ(p.root, nullptr) << q;
  if (p.errors.size() != 1) return "expected one error, got " + std::to_string(p.errors.size());
  return std::to_string(p.errors[0].offset) + ": " + p.errors[0].message;
}

std::string at(int offset, const std::string& message) { return std::to_string(offset) + ": " + message; }

std::vector<std::string> warnings_of(std::string_view q) {
  auto p = parse_query(q, kLists);
  EXPECT_TRUE(p.errors.empty()) << q;
  std::vector<std::string> out;
  for (const auto& w : p.warnings) out.push_back(std::to_string(w.offset) + ": " + w.message);
  return out;
}

TEST(QueryLanguage, WordsAreFoldedForCaseAndLatinDiacritics) {
  EXPECT_EQ(tree("Lukašenka"), "lukasenka");
  EXPECT_EQ(tree("CAFÉ"), "cafe");
  EXPECT_EQ(tree("Лукашенко"), "лукашенко");
  EXPECT_EQ(tree("Ёлка"), "елка");
  EXPECT_EQ(tree("Йошкар"), "йошкар");
  EXPECT_EQ(tree("Беларусь"), "беларусь");
}

TEST(QueryLanguage, PrefixesAndOneLetterWildcards) {
  EXPECT_EQ(tree("instruct*"), "instruct*");
  EXPECT_EQ(tree("organi?ation"), "organi?ation");
  EXPECT_EQ(tree("Wagner AND instruct*"), "AND(wagner, instruct*)");
  EXPECT_EQ(tree("\"wagner instruct*\""), "\"wagner instruct*\"");
  EXPECT_EQ(tree("ОРГАН*"), "орган*");
  EXPECT_EQ(error_of("in*"), at(2, msg::prefix_too_short('*')));
  EXPECT_EQ(error_of("in*"), "2: expected at least 3 letters before `*`");
  EXPECT_EQ(error_of("a OR ?agner"), at(5, msg::prefix_too_short('?')));
  EXPECT_EQ(error_of("wag*ner"), at(3, msg::star_not_at_end()));
  EXPECT_EQ(error_of("wag*ner"), "3: `*` can only end a word, as in `instruct*`");
  EXPECT_EQ(error_of("x \"a *\""), at(5, msg::prefix_too_short('*')));
}

TEST(QueryLanguage, PhrasesWithinNPositions) {
  EXPECT_EQ(tree("\"wagner instructors\"~5"), "\"wagner instructors\"~5");
  EXPECT_EQ(tree("\"a b c\"~2 OR x"), "OR(\"a b c\"~2, x)");
  EXPECT_EQ(tree("\"solo\"~3"), "solo");  // one word: the slop has nothing to do
  EXPECT_EQ(error_of("\"a b\"~"), at(5, msg::expected_slop()));
  EXPECT_EQ(error_of("\"a b\"~x"), at(5, msg::expected_slop()));
  EXPECT_EQ(error_of("\"a b c\"~1"), at(7, msg::slop_too_small(1, 3)));
  EXPECT_EQ(error_of("\"a b c\"~1"), "7: `~1` can never match a phrase of 3 words: expected `~2` or more");
}

TEST(QueryLanguage, MinusIsNotInsideAnAnd) {
  EXPECT_EQ(tree("wagner -opera"), "AND(wagner, NOT(opera))");
  EXPECT_EQ(tree("wagner -\"opera house\" -(music OR singer)"),
            "AND(wagner, NOT(\"opera house\"), NOT(OR(music, singer)))");
  EXPECT_EQ(tree("Volat-V2"), "\"volat v2\"");  // a hyphen inside a word separates its parts
  EXPECT_EQ(error_of("-wagner"), at(0, msg::never_matches()));
  EXPECT_EQ(error_of("a - b"), at(2, msg::no_word("-")));
}

TEST(QueryLanguage, NearOperators) {
  EXPECT_EQ(tree("wagner NEAR/5 instructors"), "NEAR/5(wagner, instructors)");
  EXPECT_EQ(tree("wagner ONEAR/3 instruct*"), "ONEAR/3(wagner, instruct*)");
  EXPECT_EQ(tree("wagner NEAR/s instructors"), "NEAR/s(wagner, instructors)");
  EXPECT_EQ(tree("wagner NEAR/p instructors"), "NEAR/p(wagner, instructors)");
  EXPECT_EQ(tree("\"wagner group\" NEAR/2 (training OR instructors)"),
            "NEAR/2(\"wagner group\", OR(training, instructors))");
  EXPECT_EQ(tree("@leaders NEAR/4 wagner"),
            "NEAR/4(OR(lukashenko, lukashenka, \"alexander lukashenko\", лукашенко), wagner)");
  // NEAR binds tighter than NOT, AND and OR.
  EXPECT_EQ(tree("x OR a NEAR/3 b AND c"), "OR(x, AND(NEAR/3(a, b), c))");
  EXPECT_EQ(tree("x -a NEAR/3 b"), "AND(x, NOT(NEAR/3(a, b)))");
  EXPECT_EQ(tree("title:a NEAR/3 b"), "NEAR/3(title:a, b)");
}

TEST(QueryLanguage, NearErrors) {
  EXPECT_EQ(error_of("a NEAR b"), at(2, msg::bad_near("NEAR")));
  EXPECT_EQ(error_of("a NEAR b"),
            "2: expected `NEAR/n`, `NEAR/s` (same sentence) or `NEAR/p` (same paragraph) with n a "
            "number of positions from 1, found `NEAR`");
  EXPECT_EQ(error_of("a NEAR/0 b"), at(2, msg::bad_near("NEAR/0")));
  EXPECT_EQ(error_of("a ONEAR/x b"), at(2, msg::bad_near("ONEAR/x")));
  EXPECT_EQ(error_of("a NEAR/5"), at(8, msg::expected_operand_after("NEAR/5", msg::kEndOfQuery)));
  EXPECT_EQ(error_of("a NEAR/5 b NEAR/5 c"), at(11, msg::near_chain("NEAR/5")));
  EXPECT_EQ(error_of("(a AND b) NEAR/5 c"), at(0, msg::near_operand("NEAR/5")));
  EXPECT_EQ(error_of("(a AND b) NEAR/5 c"),
            "0: `NEAR/5` takes words, phrases, prefixes or a parenthesised `OR` of them");
  EXPECT_EQ(error_of("a NEAR/5 site:belta.by"), at(9, msg::near_operand("NEAR/5")));
  EXPECT_EQ(error_of("a NEAR/5 repeat2:b"), at(9, msg::near_operand("NEAR/5")));
  EXPECT_EQ(error_of("a NEAR/5 (b OR NOT c)"), at(15, msg::near_operand("NEAR/5")));
}

TEST(QueryLanguage, Repeat) {
  EXPECT_EQ(tree("repeat3:wagner"), "repeat3:wagner");
  EXPECT_EQ(tree("repeat2:\"wagner group\" AND belarus"), "AND(repeat2:\"wagner group\", belarus)");
  EXPECT_EQ(tree("title:repeat2:wag*"), "title:repeat2:wag*");
  EXPECT_EQ(error_of("repeat0:wagner"), at(0, msg::repeat_count("repeat0:")));
  EXPECT_EQ(error_of("repeat3:(a OR b)"), at(0, msg::repeat_needs_term("repeat3:")));
  EXPECT_EQ(error_of("repeat3:(a OR b)"), "0: `repeat3:` applies to a word, a phrase or a prefix");
  EXPECT_EQ(error_of("repeat2:@leaders"), at(0, msg::repeat_needs_term("repeat2:")));
}

TEST(QueryLanguage, TextFields) {
  EXPECT_EQ(tree("title:wagner"), "title:wagner");
  EXPECT_EQ(tree("title:(a OR \"b c\")"), "OR(title:a, title:\"b c\")");
  EXPECT_EQ(tree("body:a AND url:news AND author:smith"), "AND(body:a, url:news, author:smith)");
  EXPECT_EQ(tree("url:belta.by/news"), "url:\"belta by news\"");
  EXPECT_EQ(tree("title:@one"), "title:minsk");
  auto p = parse_query("x AND title:Wagner");
  ASSERT_NE(p.root, nullptr);
  EXPECT_EQ(p.root->children.at(1)->written, "title:Wagner");  // the term with its field
  EXPECT_EQ(p.root->children.at(1)->offset, 6);
  // A word with a trailing colon is a word.
  EXPECT_EQ(tree("note: x"), "AND(note, x)");
  EXPECT_EQ(tree("12:30"), "\"12 30\"");
}

TEST(QueryLanguage, MetadataFields) {
  EXPECT_EQ(tree("site:Belta.BY AND wagner"), "AND(site:belta.by, wagner)");
  EXPECT_EQ(tree("source:belta OR source:newsweek"), "OR(source:belta, source:newsweek)");
  EXPECT_EQ(tree("lang:ru-RU"), "lang:ru-ru");
  EXPECT_EQ(tree("site:(belta.by OR tut.by) wagner"), "AND(OR(site:belta.by, site:tut.by), wagner)");
  EXPECT_EQ(error_of("site:\"belta by\""), at(5, msg::meta_value("site")));
  EXPECT_EQ(error_of("site:bel*"), at(5, msg::meta_value("site")));
  EXPECT_EQ(error_of("site:bel*"), "5: `site:` takes a host name, as in `site:belta.by`");
  EXPECT_EQ(error_of("lang:ру"), at(5, msg::meta_value("lang")));
  EXPECT_EQ(error_of("source:@one"), at(7, msg::meta_value("source")));
  EXPECT_EQ(error_of("source:-x"), at(7, msg::expected_operand_after("source:", "`-`")));
}

TEST(QueryLanguage, UnknownAndNestedFields) {
  EXPECT_EQ(error_of("wagner AND titel:x"), at(11, msg::unknown_field("titel")));
  EXPECT_EQ(error_of("wagner AND titel:x"),
            "11: unknown field `titel:`: expected one of title:, body:, url:, author:, site:, "
            "source:, lang:, case:, repeatN:");
  EXPECT_EQ(error_of("Title:x"), at(0, msg::unknown_field("Title")));
  EXPECT_EQ(error_of("title:(a OR body:b)"), at(12, msg::field_in_field("body", "title")));
  EXPECT_EQ(error_of("title:(a OR body:b)"), "12: `body:` inside `title:`: a term is matched in one field");
  EXPECT_EQ(error_of("site:(lang:ru)"), at(6, msg::field_in_field("lang", "site")));
  EXPECT_EQ(error_of("wagner title:"), at(13, msg::expected_operand_after("title:", msg::kEndOfQuery)));
}

TEST(QueryLanguage, CaseSensitiveTerms) {
  EXPECT_EQ(tree("case:Almaz"), "case:Almaz");
  EXPECT_EQ(tree("case:\"Almaz Antey\" OR almaz"), "OR(case:\"Almaz Antey\", almaz)");
  EXPECT_EQ(tree("title:case:SOBR"), "title:case:SOBR");
  EXPECT_EQ(tree("case:(SOBR OR Almaz)"), "OR(case:SOBR, case:Almaz)");
}

TEST(QueryLanguage, ListsExpandToAnOrOfTheirEntries) {
  EXPECT_EQ(tree("@leaders AND wagner"),
            "AND(OR(lukashenko, lukashenka, \"alexander lukashenko\", лукашенко), wagner)");
  auto p = parse_query("@leaders", kLists);
  ASSERT_NE(p.root, nullptr);
  ASSERT_EQ(p.root->children.size(), 4u);
  EXPECT_EQ(p.root->children[2]->written, "\"Alexander Lukashenko\"");
  EXPECT_EQ(error_of("a AND @nobody"), at(6, msg::unknown_list("nobody")));
  EXPECT_EQ(error_of("a AND @nobody"), "6: unknown list `@nobody`: no rule file defines it under `lists`");
  EXPECT_EQ(error_of("a OR @empty"), at(5, msg::empty_list("empty")));
  EXPECT_EQ(error_of("a OR @"), at(5, msg::expected_list_name()));
}

TEST(QueryLanguage, MixingAndWithOrWarnsWithTheReading) {
  EXPECT_EQ(warnings_of("a AND b OR c"),
            std::vector<std::string>{"8: " + msg::mixed_and_or("(a AND b) OR c")});
  EXPECT_EQ(warnings_of("a AND b OR c")[0],
            "8: `AND` and `OR` mixed without parentheses: read as `(a AND b) OR c`; add "
            "parentheses to say so");
  EXPECT_EQ(warnings_of("x OR wagner instruct* OR \"a b\""),
            std::vector<std::string>{"2: " + msg::mixed_and_or("x OR (wagner instruct*) OR \"a b\"")});
  EXPECT_EQ(warnings_of("(a AND b) OR c"), std::vector<std::string>{});
  EXPECT_EQ(warnings_of("a AND (b OR c)"), std::vector<std::string>{});
  EXPECT_EQ(warnings_of("a OR NOT b AND c"),
            std::vector<std::string>{"2: " + msg::mixed_and_or("a OR (NOT b AND c)")});
  // Nested levels each say how they were read.
  EXPECT_EQ(warnings_of("(a b OR c) AND d"),
            std::vector<std::string>{"5: " + msg::mixed_and_or("(a b) OR c")});
}

TEST(QueryLanguage, LowercaseNearIsAWordWithAWarning) {
  EXPECT_EQ(warnings_of("a near/5 b"),
            std::vector<std::string>{"2: " + msg::lowercase_operator("near/5", "NEAR/5")});
}

TEST(QueryLanguage, QueriesThatCanNeverMatch) {
  EXPECT_EQ(error_of("wagner AND NOT wagner"), at(11, msg::contradiction("wagner")));
  EXPECT_EQ(error_of("wagner AND NOT wagner"),
            "11: query can never match: `wagner` is both required and excluded");
  EXPECT_EQ(error_of("x (a OR b) -(a OR b)"), at(11, msg::contradiction("(a OR b)")));
  EXPECT_EQ(error_of("NOT site:belta.by"), at(0, msg::never_matches()));
  EXPECT_EQ(tree("wagner AND NOT title:wagner"), "AND(wagner, NOT(title:wagner))");
}

TEST(QueryLanguage, EntriesOfListsAreChecked) {
  EXPECT_TRUE(check_list_entry("Alexander Lukashenko").empty());
  EXPECT_TRUE(check_list_entry("Лукаш*").empty());
  ASSERT_EQ(check_list_entry("--").size(), 1u);
  EXPECT_EQ(check_list_entry("--")[0].message, msg::no_word("--"));
  ASSERT_EQ(check_list_entry("ab*").size(), 1u);
  EXPECT_EQ(check_list_entry("ab*")[0].offset, 2);
}

}  // namespace
}  // namespace wirewatch::rules
