#include "wirewatch/common/text.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("Лукашенко – “quoted”"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("ok \xFF then"));
}

TEST(Text, CodePointsAndCounts) {
  EXPECT_EQ(code_point_count("Лука"), 4u);
  auto cps = utf8_code_points("aЖ€");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(cps[1], U'Ж');
  std::string s;
  append_utf8(s, U'€');
  EXPECT_EQ(s, "€");
}

TEST(Text, CaseFoldingCoversCyrillicAndComposes) {
  EXPECT_EQ(fold_case("Wagner"), "wagner");
  EXPECT_EQ(fold_case("ЛУКАШЕНКО"), fold_case("лукашенко"));
  EXPECT_EQ(fold_case("Straße"), "strasse");
  // "é" decomposed (e + U+0301) folds to the composed form.
  EXPECT_EQ(fold_case("E\xCC\x81"), "\xC3\xA9");
}

TEST(Text, WordCharacters) {
  EXPECT_TRUE(is_word_char(U'a'));
  EXPECT_TRUE(is_word_char(U'Ж'));
  EXPECT_TRUE(is_word_char(U'7'));
  EXPECT_TRUE(is_word_char(0x0301));  // combining acute
  EXPECT_FALSE(is_word_char(U'-'));
  EXPECT_FALSE(is_word_char(U'’'));
  EXPECT_FALSE(is_word_char(U' '));
  EXPECT_TRUE(is_space(0x00A0));
  EXPECT_FALSE(is_space(U'x'));
}
