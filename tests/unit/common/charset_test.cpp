#include "wirewatch/common/charset.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>

#include "wirewatch/common/text.hpp"

using namespace wirewatch::charset;

TEST(CommonCharset, LabelsSharedByBothReaders) {
  for (const Labels l : {Labels::xml, Labels::html}) {
    EXPECT_EQ(normalize_label(" \"CP1251\" ", l), "windows-1251");
    EXPECT_EQ(normalize_label("Latin1", l), "windows-1252");
    EXPECT_EQ(normalize_label("UTF8", l), "utf-8");
    EXPECT_EQ(normalize_label("KOI8R", l), "koi8-r");
    EXPECT_EQ(normalize_label("ISO-8859-5", l), "iso-8859-5");
    EXPECT_EQ(normalize_label("", l), "");
    EXPECT_TRUE(lookup_label("gb2312", l).alias);
    EXPECT_FALSE(lookup_label("iso-8859-5", l).alias);
  }
}

TEST(CommonCharset, LabelsTheReadersTakeDifferently) {
  EXPECT_EQ(normalize_label("us-ascii", Labels::xml), "utf-8");
  EXPECT_EQ(normalize_label("us-ascii", Labels::html), "windows-1252");
  EXPECT_EQ(normalize_label("utf-16", Labels::xml), "utf-16");
  EXPECT_EQ(normalize_label("utf-16", Labels::html), "utf-16le");
  EXPECT_EQ(normalize_label("cp1253", Labels::xml), "windows-1253");
  EXPECT_EQ(normalize_label("cp1253", Labels::html), "cp1253");
  EXPECT_EQ(normalize_label("latin5", Labels::xml), "latin5");
  EXPECT_EQ(normalize_label("latin5", Labels::html), "windows-1254");
  // HTML attribute values may carry line breaks and the ';' of a Content-Type
  EXPECT_EQ(normalize_label("\nutf-8;", Labels::html), "utf-8");
  EXPECT_EQ(normalize_label("utf-8;", Labels::xml), "utf-8;");
}

TEST(CommonCharset, ContentTypeCharset) {
  EXPECT_EQ(content_type_charset("text/html; charset=windows-1251"), "windows-1251");
  EXPECT_EQ(content_type_charset("text/xml;Charset=\"KOI8-R\"; foo=bar"), "KOI8-R");
  EXPECT_EQ(content_type_charset("text/html;  charset = 'utf-8' "), "utf-8");
  EXPECT_EQ(content_type_charset("charset=utf-8"), "");  // a parameter follows a ';'
  EXPECT_EQ(content_type_charset("application/xml"), "");
}

TEST(CommonCharset, Utf8ValidationAndRepairAgreeWithUtf8proc) {
  static constexpr unsigned char kBytes[] = {'a',  ' ',  0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xD0,
                                             0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
  const std::string_view valid_pieces[] = {"a",           "Жы", "€", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
                                           "\xEF\xBF\xBD"};
  std::uint32_t x = 17;
  auto next = [&] { return x = x * 1664525u + 1013904223u; };
  int invalid_seen = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const std::size_t len = next() % 48;
    while (s.size() < len) {
      if (next() % 4 == 0)
        s += static_cast<char>(kBytes[(next() >> 8) % sizeof kBytes]);
      else
        s += valid_pieces[(next() >> 8) % std::size(valid_pieces)];
    }
    const bool valid = wirewatch::is_valid_utf8(s);
    invalid_seen += !valid;
    ASSERT_EQ(is_utf8(s), valid) << round;
    // each byte that starts no valid sequence becomes one U+FFFD, as utf8proc reads it
    std::string expected;
    for (std::size_t pos = 0; pos < s.size();) {
      const std::size_t start = pos;
      const char32_t cp = wirewatch::next_code_point(s, pos);
      if (cp == U'\uFFFD' && pos == start + 1)
        expected += "\xEF\xBF\xBD";
      else
        expected.append(s, start, pos - start);
    }
    const std::string repaired = replace_invalid_utf8(s);
    ASSERT_EQ(repaired, expected) << round;
    ASSERT_TRUE(is_utf8(repaired)) << round;
  }
  EXPECT_GT(invalid_seen, 1000);
}

TEST(CommonCharset, ReplaceCountsKeptMultibyteSequences) {
  std::size_t multibyte = 99;
  EXPECT_EQ(replace_invalid_utf8("Жa\xFF", &multibyte), "Жa\xEF\xBF\xBD");
  EXPECT_EQ(multibyte, 1u);
  EXPECT_EQ(replace_invalid_utf8("ascii", &multibyte), "ascii");
  EXPECT_EQ(multibyte, 0u);
}

TEST(CommonCharset, GuessesCyrillicByTextLength) {
  // "Привет, мир! " in windows-1251: 9 Cyrillic letters a time
  const std::string word = "\xCF\xF0\xE8\xE2\xE5\xF2, \xEC\xE8\xF0! ";
  std::string short_text, long_text;
  for (int i = 0; i < 2; ++i) short_text += word;
  for (int i = 0; i < 10; ++i) long_text += word;
  EXPECT_EQ(guess_single_byte(short_text, Guess::feed), "windows-1251");
  EXPECT_EQ(guess_single_byte(short_text, Guess::page), "windows-1252");  // too few letters for a page
  EXPECT_EQ(guess_single_byte(long_text, Guess::page), "windows-1251");
  // the same words in KOI8-R: mostly 0xC0-0xDF
  std::string koi;
  for (int i = 0; i < 4; ++i) koi += "\xD0\xD2\xC9\xD7\xC5\xD4, \xCD\xC9\xD2! ";
  EXPECT_EQ(guess_single_byte(koi, Guess::feed), "koi8-r");
  EXPECT_EQ(guess_single_byte("Caf\xE9 cr\xE8me br\xFBl\xE9"
                              "e",
                              Guess::feed),
            "windows-1252");
  EXPECT_EQ(guess_single_byte("Caf\xE9 cr\xE8me br\xFBl\xE9"
                              "e",
                              Guess::page),
            "windows-1252");
}

TEST(CommonCharset, InvalidInputFailsOrIsReplaced) {
  // 0x98 is undefined in windows-1251 (byte table)
  EXPECT_FALSE(
      to_utf8("a\x98"
              "b",
              "windows-1251", OnInvalid::fail));
  EXPECT_EQ(to_utf8("a\x98"
                    "b",
                    "windows-1251", OnInvalid::replace)
                .value_or("?"),
            "a\xEF\xBF\xBD"
            "b");
  // a truncated Shift_JIS sequence (iconv)
  EXPECT_FALSE(to_utf8("ab\x82", "shift_jis", OnInvalid::fail));
  EXPECT_EQ(to_utf8("ab\x82", "shift_jis", OnInvalid::replace).value_or("?"), "ab\xEF\xBF\xBD");
  EXPECT_EQ(to_utf8("\x82\xA0", "shift_jis", OnInvalid::fail).value_or("?"), "あ");
  // UTF-8 without iconv; a leading BOM is kept
  EXPECT_FALSE(to_utf8("ok \xFF", "UTF-8", OnInvalid::fail));
  EXPECT_EQ(to_utf8("ok \xFF", "utf-8", OnInvalid::replace).value_or("?"), "ok \xEF\xBF\xBD");
  EXPECT_EQ(to_utf8("\xEF\xBB\xBFok", "utf-8", OnInvalid::fail).value_or("?"), "\xEF\xBB\xBFok");
  // an unknown charset is nullopt either way
  EXPECT_FALSE(to_utf8("x", "no-such-charset", OnInvalid::fail));
  EXPECT_FALSE(to_utf8("x", "no-such-charset", OnInvalid::replace));
}

TEST(CommonCharset, ByteTableMatchesIconv) {
  // "windows-1251" goes through the byte table, iconv's own "CP1251" through iconv
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const auto table = to_utf8(all, "windows-1251", OnInvalid::replace);
  const auto direct = to_utf8(all, "CP1251", OnInvalid::replace);
  ASSERT_TRUE(table && direct);
  EXPECT_EQ(*table, *direct);
  EXPECT_NE(table->find("Я"), std::string::npos);
}

TEST(CommonCharset, ConversionDropsTheBomIconvProduces) {
  EXPECT_EQ(to_utf8(std::string_view("\xFF\xFEh\0i\0", 6), "utf-16le", OnInvalid::fail).value_or("?"), "hi");
  EXPECT_EQ(to_utf8(std::string_view("\xFE\xFF\0h\0i", 6), "utf-16", OnInvalid::fail).value_or("?"), "hi");
}

TEST(CommonCharset, ByteOrderOfOneDocumentDoesNotCarryOver) {
  const std::string_view unmarked("h\0i\0", 4);
  const auto first = to_utf8(unmarked, "utf-16", OnInvalid::fail);
  ASSERT_TRUE(first);
  // a big-endian mark in between must not change how the same unmarked bytes read
  EXPECT_EQ(to_utf8(std::string_view("\xFE\xFF\0h", 4), "utf-16", OnInvalid::fail).value_or("?"), "h");
  EXPECT_EQ(to_utf8(unmarked, "utf-16", OnInvalid::fail), first);
  EXPECT_EQ(to_utf8(std::string_view("\0\0\xFE\xFF\0\0\0h", 8), "UTF-32", OnInvalid::fail).value_or("?"),
            "h");
  EXPECT_EQ(to_utf8(std::string_view("h\0\0\0", 4), "UTF-32", OnInvalid::fail).value_or("?"),
            to_utf8(std::string_view("h\0\0\0", 4), "utf32", OnInvalid::fail).value_or("!"));
}

TEST(CommonCharset, CombiningCharsetsKeepTheLastCharacter) {
  // windows-1258 holds a base letter back to see if a tone mark follows
  EXPECT_EQ(to_utf8("xa", "windows-1258", OnInvalid::replace).value_or("?"), "xa");
  EXPECT_EQ(to_utf8("a\xEC", "windows-1258", OnInvalid::fail).value_or("?"),
            "a\xCC\x81");  // U+0301 tone mark
}
