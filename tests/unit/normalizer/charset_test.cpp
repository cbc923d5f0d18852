#include "wirewatch/normalizer/charset.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(Charset, NormalizesLabelsAsBrowsersDo) {
  EXPECT_EQ(normalize_charset_label("ISO-8859-1"), "windows-1252");
  EXPECT_EQ(normalize_charset_label(" latin1 "), "windows-1252");
  EXPECT_EQ(normalize_charset_label("us-ascii"), "windows-1252");
  EXPECT_EQ(normalize_charset_label("utf8"), "UTF-8");
  EXPECT_EQ(normalize_charset_label("\"UTF-8\""), "UTF-8");
  EXPECT_EQ(normalize_charset_label("CP1251"), "windows-1251");
  EXPECT_EQ(normalize_charset_label("koi8-r"), "KOI8-R");
  EXPECT_EQ(normalize_charset_label(""), "");
}

TEST(Charset, FindsMetaCharset) {
  EXPECT_EQ(declared_charset("<html><head><meta charset=\"windows-1251\"></head>"), "windows-1251");
  EXPECT_EQ(declared_charset("<META CHARSET=koi8-r>"), "KOI8-R");
  EXPECT_EQ(
      declared_charset("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">"),
      "windows-1251");
  EXPECT_EQ(declared_charset("<meta content='text/html;charset=ISO-8859-1' http-equiv='content-type'>"),
            "windows-1252");
  EXPECT_EQ(declared_charset("<?xml version=\"1.0\" encoding=\"windows-1251\"?><html>"), "windows-1251");
  EXPECT_EQ(declared_charset("<meta name=\"description\" content=\"charset=koi8-r is mentioned\">"), "");
  EXPECT_EQ(declared_charset("<html><body>no declaration</body></html>"), "");
}

TEST(Charset, PrecedenceBomHeaderMeta) {
  const std::string cp1251 = "<meta charset=windows-1251><p>\xCF\xF0\xE8\xE2\xE5\xF2</p>";
  // BOM beats everything.
  EXPECT_EQ(detect_charset("\xEF\xBB\xBF<meta charset=windows-1251>", "koi8-r"), "UTF-8");
  EXPECT_EQ(detect_charset("\xFF\xFE<\0h\0", ""), "UTF-16LE");
  // The HTTP header beats the meta tag.
  EXPECT_EQ(detect_charset(cp1251, "KOI8-R"), "KOI8-R");
  EXPECT_EQ(detect_charset(cp1251, ""), "windows-1251");
}

TEST(Charset, MislabelledUtf8IsUtf8) {
  EXPECT_EQ(detect_charset("<meta charset=iso-8859-1><p>Grüße</p>", ""), "UTF-8");
  EXPECT_EQ(detect_charset("<p>plain ascii</p>", "windows-1251"), "windows-1251");
}

TEST(Charset, GuessesUndeclaredCyrillicAndWestern) {
  // "Привет, мир! " in windows-1251, repeated.
  std::string ru;
  for (int i = 0; i < 20; ++i) ru += "\xCF\xF0\xE8\xE2\xE5\xF2, \xEC\xE8\xF0! ";
  EXPECT_EQ(detect_charset("<p>" + ru + "</p>", ""), "windows-1251");
  EXPECT_EQ(detect_charset("<p>Gr\xFC\xDF"
                           "e aus K\xF6ln, sch\xF6ne Stra\xDF"
                           "e</p>",
                           ""),
            "windows-1252");
}

TEST(Charset, ConvertsToUtf8) {
  EXPECT_EQ(convert_to_utf8("\xCF\xF0\xE8\xE2\xE5\xF2", "windows-1251").value(), "Привет");
  EXPECT_EQ(convert_to_utf8("\xD0\xD2\xC9\xD7\xC5\xD4", "koi8-r").value(), "привет");
  EXPECT_EQ(convert_to_utf8("Stra\xDF"
                            "e \x84quoted\x93",
                            "iso-8859-1")
                .value(),
            "Straße „quoted“");
  EXPECT_EQ(convert_to_utf8("\xEF\xBB\xBFtext", "UTF-8").value(), "text");
  EXPECT_FALSE(convert_to_utf8("x", "no-such-charset").has_value());
}

TEST(Charset, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(convert_to_utf8("ok \xFF ok", "UTF-8").value(), "ok \xEF\xBF\xBD ok");
  // 0x98 is undefined in windows-1251.
  EXPECT_EQ(convert_to_utf8("a\x98"
                            "b",
                            "windows-1251")
                .value(),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(Charset, DecodeFallsBackForUnknownCharsets) {
  auto d = decode_to_utf8("<p>caf\xE9</p>", "x-unknown-charset");
  EXPECT_EQ(d.charset, "windows-1252");
  EXPECT_EQ(d.utf8, "<p>café</p>");
}
