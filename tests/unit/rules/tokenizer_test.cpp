#include "wirewatch/rules/tokenizer.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace wirewatch::rules {
namespace {

using testing::slice;

std::vector<std::string> folded(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(t.folded);
  return out;
}

TEST(Tokenizer, LatinWordsAreFoldedAndNumbered) {
  const std::string text = "Hello, World! 2024 MOD-report";
  auto tokens = tokenize(text);
  EXPECT_EQ(folded(tokens), (std::vector<std::string>{"hello", "world", "2024", "mod", "report"}));
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].offset, 0u);
  EXPECT_EQ(tokens[0].length, 5u);
  EXPECT_EQ(tokens[1].offset, 7u);
  EXPECT_EQ(tokens[2].offset, 14u);
  EXPECT_EQ(tokens[3].offset, 19u);
  EXPECT_EQ(tokens[4].offset, 23u);
  for (std::uint32_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].position, i);
}

TEST(Tokenizer, EmptyAndSeparatorOnlyTextHasNoTokens) {
  EXPECT_TRUE(tokenize("").empty());
  EXPECT_TRUE(tokenize(" -- … «» \n\n ").empty());
}

TEST(Tokenizer, CyrillicIsCaseFolded) {
  auto tokens = tokenize("Лукашенко ЛУКАШЕНКО лукашенко");
  ASSERT_EQ(tokens.size(), 3u);
  for (const auto& t : tokens) EXPECT_EQ(t.folded, "лукашенко");
  EXPECT_EQ(tokens[1].offset, 10u);
  EXPECT_EQ(tokens[2].offset, 20u);
  EXPECT_EQ(tokens[2].length, 9u);
}

TEST(Tokenizer, OffsetsCountCodePointsInMultibyteText) {
  const std::string text = "«Привет» — мир, 🙂 café";
  auto tokens = tokenize(text);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].offset, 1u);
  EXPECT_EQ(tokens[0].length, 6u);
  EXPECT_EQ(tokens[1].offset, 11u);
  EXPECT_EQ(tokens[2].offset, 18u);
  EXPECT_EQ(slice(text, tokens[0].offset, tokens[0].length), "Привет");
  EXPECT_EQ(slice(text, tokens[1].offset, tokens[1].length), "мир");
  EXPECT_EQ(slice(text, tokens[2].offset, tokens[2].length), "café");
}

TEST(Tokenizer, FoldingMayChangeTheLengthButNotTheWrittenLength) {
  auto tokens = tokenize("STRASSE Straße");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].folded, "strasse");
  EXPECT_EQ(tokens[1].folded, "strasse");
  EXPECT_EQ(tokens[1].length, 6u);
}

TEST(Tokenizer, CombiningMarksBelongToTheWordAndAreComposed) {
  const std::string decomposed =
      "E\xCC\x81"
      "cole ok";  // E + U+0301
  auto tokens = tokenize(decomposed);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].folded, "ecole");  // composed, then the Latin accent folded
  EXPECT_EQ(tokens[0].length, 6u);
  EXPECT_EQ(tokens[1].offset, 7u);
}

TEST(Tokenizer, ApostrophesSplitWords) {
  const std::string text = "the nation’s troops, Russia's";
  auto tokens = tokenize(text);
  EXPECT_EQ(folded(tokens), (std::vector<std::string>{"the", "nation", "s", "troops", "russia", "s"}));
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[2].offset, 11u);
  EXPECT_EQ(tokens[3].offset, 13u);
}

TEST(Tokenizer, ParagraphsAreSeparatedByBlankLinesOnly) {
  // A single line break stays inside the paragraph; a line of spaces is blank.
  auto tokens = tokenize("a b\nc\n\nd\n \t\ne\n\n\n\nf");
  ASSERT_EQ(tokens.size(), 6u);
  std::vector<std::uint32_t> paragraphs;
  for (const auto& t : tokens) paragraphs.push_back(t.paragraph);
  EXPECT_EQ(paragraphs, (std::vector<std::uint32_t>{0, 0, 0, 1, 2, 3}));
}

TEST(Tokenizer, LeadingBlankLinesDoNotStartAParagraph) {
  auto tokens = tokenize("\n\n  First. \n\nSecond");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].paragraph, 0u);
  EXPECT_EQ(tokens[0].sentence, 0u);
  EXPECT_EQ(tokens[1].paragraph, 1u);
  EXPECT_EQ(tokens[1].sentence, 1u);
}

TEST(Tokenizer, SentencesEndAtMarksFollowedByWhitespaceAndAtParagraphs) {
  auto tokens = tokenize("One. Two! Three? Four… Five.Six U.K. x\ny\n\nz");
  std::vector<std::string> words = folded(tokens);
  ASSERT_EQ(words, (std::vector<std::string>{"one", "two", "three", "four", "five", "six", "u", "k", "x", "y",
                                             "z"}));
  std::vector<std::uint32_t> sentences;
  for (const auto& t : tokens) sentences.push_back(t.sentence);
  EXPECT_EQ(sentences, (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 4, 4, 4, 5, 5, 6}));
  EXPECT_EQ(tokens.back().paragraph, 1u);
}

TEST(Tokenizer, SplitWordsFoldsTheParts) {
  EXPECT_EQ(split_words("Volat-V2"), (std::vector<std::string>{"volat", "v2"}));
  EXPECT_EQ(split_words("nation’s"), (std::vector<std::string>{"nation", "s"}));
  EXPECT_EQ(split_words("ЛУКАШЕНКО"), (std::vector<std::string>{"лукашенко"}));
  EXPECT_TRUE(split_words("&&").empty());
}

TEST(Tokenizer, SeedOffsetsSliceBackToTheWords) {
  auto doc = testing::read_record(testing::fixtures() / "seeds" / "000_d6c58d34664ebbc0.txt");
  const auto body = doc.text(Field::body);
  auto tokens = tokenize(body);
  ASSERT_GT(tokens.size(), 100u);
  for (const auto& t : tokens) {
    ASSERT_EQ(fold_case(slice(body, t.offset, t.length)), t.folded) << "at offset " << t.offset;
  }
  // The record's paragraphs are separated by blank lines.
  std::size_t blank_lines = 0;
  for (std::size_t pos = body.find("\n\n"); pos != std::string::npos; pos = body.find("\n\n", pos + 2))
    ++blank_lines;
  EXPECT_EQ(tokens.back().paragraph, blank_lines);
}

}  // namespace
}  // namespace wirewatch::rules
