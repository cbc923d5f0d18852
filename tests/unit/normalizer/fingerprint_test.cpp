#include "wirewatch/normalizer/fingerprint.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace wirewatch;

namespace {

RecordText story(std::string_view variant_word) {
  RecordText t;
  t.title = "Port strike enters second week";
  t.paragraphs = {
      "The strike at the country's second-largest container port entered its eighth day on Tuesday "
      "with no new talks scheduled, after negotiations between the dockers' union and the three "
      "terminal operators broke down late on Sunday night.",
      std::string("About 1,900 workers walked out last Monday after rejecting a pay offer of 4.5 per "
                  "cent. The union is asking for 9 per cent, arguing that wages have fallen ") +
          std::string(variant_word) + " behind inflation since the last agreement was signed in 2021.",
      "The operators say the demand is unaffordable. In a joint statement they said the offer on the "
      "table was fair and generous and that the strike was costing the regional economy an estimated "
      "twelve million pounds a day."};
  return t;
}

RecordText other_story() {
  RecordText t;
  t.title = "Water main break closes Elm Street";
  t.paragraphs = {
      "A water main break closed Elm Street between Third and Fifth avenues on Wednesday afternoon, "
      "and city crews expect the road to stay closed until at least Friday morning.",
      "About 60 homes are without water. The public works department said residents can pick up "
      "bottled water at the fire station on Third Avenue until 8 p.m., and asked drivers to use Maple "
      "Street instead."};
  return t;
}

}  // namespace

TEST(Fingerprint, SameTextSameFingerprint) {
  auto a = text_fingerprint(story("well"));
  auto b = text_fingerprint(story("well"));
  EXPECT_EQ(a, b);
  EXPECT_DOUBLE_EQ(similarity(a, b), 1.0);
  EXPECT_FALSE(a.empty());
}

TEST(Fingerprint, IgnoresCaseAndPunctuationAndTitle) {
  auto a = story("well");
  auto b = a;
  b.title = "A different headline entirely";
  for (auto& p : b.paragraphs)
    for (auto& c : p)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  EXPECT_DOUBLE_EQ(similarity(text_fingerprint(a), text_fingerprint(b)), 1.0);
}

TEST(Fingerprint, SmallEditStaysSimilarOtherTextDoesNot) {
  auto a = text_fingerprint(story("well"));
  auto edited = text_fingerprint(story("far"));
  auto other = text_fingerprint(other_story());
  EXPECT_GT(similarity(a, edited), 0.8);
  EXPECT_LT(similarity(a, other), 0.1);
}

TEST(Fingerprint, ShortTextIsEmpty) {
  RecordText t;
  t.title = "Title";
  t.paragraphs = {"Too short to compare."};
  auto fp = text_fingerprint(t);
  EXPECT_TRUE(fp.empty());
  EXPECT_EQ(similarity(fp, fp), 0.0);
}

TEST(Fingerprint, BytesRoundTrip) {
  auto fp = text_fingerprint(story("well"));
  auto bytes = fp.to_bytes();
  EXPECT_EQ(bytes.size(), 4 + 4 * TextFingerprint::kHashes);
  auto back = TextFingerprint::from_bytes(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, fp);
  EXPECT_FALSE(TextFingerprint::from_bytes("short").has_value());
}

TEST(NearDuplicateIndex, FindsTheFirstCopy) {
  NearDuplicateIndex index;
  EXPECT_FALSE(index.find(text_fingerprint(story("well"))).has_value());
  index.add("first", text_fingerprint(story("well")));
  index.add("unrelated", text_fingerprint(other_story()));
  index.add("second", text_fingerprint(story("well")));
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.find(text_fingerprint(story("far"))).value_or(""), "first");
  EXPECT_EQ(index.find(text_fingerprint(other_story())).value_or(""), "unrelated");
}

TEST(NearDuplicateIndex, IgnoresEmptyFingerprints) {
  NearDuplicateIndex index;
  RecordText t;
  t.paragraphs = {"tiny"};
  index.add("tiny", text_fingerprint(t));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.find(text_fingerprint(t)).has_value());
}
