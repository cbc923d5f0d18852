#include "wirewatch/normalizer/text_normalize.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(TextNormalize, CollapsesWhitespaceAndTrims) {
  EXPECT_EQ(normalize_paragraph("  one\t two \n\n three  "), "one two three");
  EXPECT_EQ(normalize_paragraph("line\r\nbreak"), "line break");
  EXPECT_EQ(normalize_paragraph("para\u2028sep\u2029end"), "para sep end");
}

TEST(TextNormalize, NoBreakAndOtherSpacesBecomeSpaces) {
  EXPECT_EQ(normalize_paragraph("10\u00A0000\u202Feuros"), "10 000 euros");
  EXPECT_EQ(normalize_paragraph("em\u2003space\u3000ideographic"), "em space ideographic");
}

TEST(TextNormalize, RemovesZeroWidthAndControls) {
  EXPECT_EQ(normalize_paragraph("zero\u200Bwidth\u2060joiner\uFEFF"), "zerowidthjoiner");
  EXPECT_EQ(normalize_paragraph("soft\u00ADhyphen"), "softhyphen");
  EXPECT_EQ(normalize_paragraph("bell\x07"
                                "char"),
            "bellchar");
}

TEST(TextNormalize, KeepsQuotesAndDashes) {
  EXPECT_EQ(normalize_paragraph("„Zitat“ – “quote” — ‘single’ «guillemets»"),
            "„Zitat“ – “quote” — ‘single’ «guillemets»");
}

TEST(TextNormalize, ComposesToNfc) {
  EXPECT_EQ(normalize_paragraph("Cafe\u0301"), "Café");
  EXPECT_EQ(normalize_paragraph("\u0418\u0306"), "Й");
}

TEST(TextNormalize, DropsEmptyParagraphs) {
  auto out = normalize_paragraphs({"  a  ", " \u00A0 ", "", "b\u200B"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "a");
  EXPECT_EQ(out[1], "b");
}
