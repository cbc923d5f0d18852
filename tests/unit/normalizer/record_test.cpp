#include "wirewatch/normalizer/record.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace wirewatch;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> seeds() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(WIREWATCH_FIXTURES) / "seeds"))
    out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

RecordText parse_ok(std::string_view bytes) {
  auto r = parse_record(bytes);
  EXPECT_TRUE(std::holds_alternative<RecordText>(r));
  return std::holds_alternative<RecordText>(r) ? std::get<RecordText>(r) : RecordText{};
}

}  // namespace

TEST(Record, ParsesTitleAndParagraphs) {
  auto r = parse_ok("Title here\n\nFirst para\nstill first\n\n\n  \nSecond");
  EXPECT_EQ(r.title, "Title here");
  ASSERT_EQ(r.paragraphs.size(), 2u);
  EXPECT_EQ(r.paragraphs[0], "First para\nstill first");
  EXPECT_EQ(r.paragraphs[1], "Second");
}

TEST(Record, StripsBomCrlfAndTrailingNewlines) {
  auto r = parse_ok("\xEF\xBB\xBFTitle\r\n\r\nBody line\r\n\r\n\n");
  EXPECT_EQ(r.title, "Title");
  ASSERT_EQ(r.paragraphs.size(), 1u);
  EXPECT_EQ(r.paragraphs[0], "Body line");
}

TEST(Record, TitleOnlyIsARecord) {
  auto r = parse_ok("Just a title\n");
  EXPECT_EQ(r.title, "Just a title");
  EXPECT_TRUE(r.paragraphs.empty());
  EXPECT_EQ(write_record(r), "Just a title");
}

TEST(Record, WhitespaceOnlyLineSeparatesParagraphs) {
  auto r = parse_ok("T\n\na\n \t\nb");
  ASSERT_EQ(r.paragraphs.size(), 2u);
}

TEST(Record, RejectsInvalidUtf8AndMissingTitle) {
  auto bad = parse_record("Title \xFF\n\nbody");
  ASSERT_TRUE(std::holds_alternative<RecordError>(bad));
  EXPECT_EQ(std::get<RecordError>(bad).message, "not valid UTF-8");
  auto untitled = parse_record("\n\nbody only");
  ASSERT_TRUE(std::holds_alternative<RecordError>(untitled));
  EXPECT_EQ(std::get<RecordError>(untitled).message, "no title on line 1");
  EXPECT_TRUE(std::holds_alternative<RecordError>(parse_record("")));
}

TEST(Record, WriterIsCanonicalAndIdempotent) {
  RecordText r{"T", {"a\nb", "c"}};
  auto once = write_record(r);
  EXPECT_EQ(once, "T\n\na\nb\n\nc");
  EXPECT_EQ(write_record(parse_ok(once)), once);
  EXPECT_EQ(write_record(parse_ok("T\n\n\n\na\nb\n\n\n\nc\n\n")), once);
}

// Found by fuzz/targets/record.cpp: with only the last CR of "\r\r\n" dropped, the
// title kept a CR that the next read stripped, so the record's id changed on re-read.
TEST(Record, CrRunsBeforeLfAreStrippedWhole) {
  auto r = parse_ok("Title\r\r\n\r\nPara\r\r\r\nline two\r\nend\r");
  EXPECT_EQ(r.title, "Title");
  ASSERT_EQ(r.paragraphs.size(), 1u);
  EXPECT_EQ(r.paragraphs[0], "Para\nline two\nend\r");  // a CR not before LF is text
  EXPECT_EQ(write_record(parse_ok(write_record(r))), write_record(r));
}

// Found by fuzzing too: a second BOM became a title starting with U+FEFF, written as
// a BOM the next read stripped.
TEST(Record, EveryLeadingBomIsStripped) {
  auto r = parse_ok("\xEF\xBB\xBF\xEF\xBB\xBFTitle\n\nBody");
  EXPECT_EQ(r.title, "Title");
  EXPECT_EQ(write_record(parse_ok(write_record(r))), write_record(r));
}

TEST(Record, SeedsRoundTrip) {
  auto files = seeds();
  ASSERT_EQ(files.size(), 5u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    auto bytes = read_file(f);
    auto r = parse_ok(bytes);
    EXPECT_FALSE(r.paragraphs.empty());
    auto written = write_record(r);
    EXPECT_EQ(parse_ok(written), r);                      // same title and paragraphs
    EXPECT_EQ(write_record(parse_ok(written)), written);  // idempotent
    auto name = f.filename().string();
    if (name.starts_with("000_") || name.starts_with("004_")) {
      EXPECT_EQ(written, bytes);
    }
  }
}

TEST(Record, Seed004KeepsItsMultiLineParagraph) {
  auto files = seeds();
  auto r = parse_ok(read_file(files[4]));
  EXPECT_EQ(r.paragraphs[0], "Russia is turning to its\nRussia is turning to its");
}

TEST(Record, IdsFromUrlOrText) {
  RecordText r{"T", {"body"}};
  // printf https://example.com/a | sha256sum | cut -c1-16
  auto by_url = record_id("https://example.com/a", r);
  EXPECT_EQ(by_url, "2dce0a4c50441bfc");
  EXPECT_EQ(by_url, record_id("https://example.com/a", RecordText{"other", {}}));
  auto by_text = record_id("", r);
  EXPECT_NE(by_text, by_url);
  EXPECT_EQ(by_text, record_id("", parse_ok("T\n\n\nbody\n")));
  for (char c : by_text) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

TEST(Record, FileNamesKeepIds) {
  EXPECT_EQ(id_from_file_name("000_d6c58d34664ebbc0.txt"), "d6c58d34664ebbc0");
  EXPECT_EQ(id_from_file_name("12345_d6c58d34664ebbc0.txt"), "d6c58d34664ebbc0");
  EXPECT_FALSE(id_from_file_name("d6c58d34664ebbc0.txt"));
  EXPECT_FALSE(id_from_file_name("000_D6C58D34664EBBC0.txt"));
  EXPECT_FALSE(id_from_file_name("000_d6c58d34664ebbc.txt"));
  EXPECT_FALSE(id_from_file_name("x00_d6c58d34664ebbc0.txt"));
  EXPECT_EQ(stored_file_name(7, "d6c58d34664ebbc0"), "007_d6c58d34664ebbc0.txt");
  EXPECT_EQ(stored_file_name(12345, "d6c58d34664ebbc0"), "12345_d6c58d34664ebbc0.txt");
}
