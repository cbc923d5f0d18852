#include "wirewatch/normalizer/fingerprint.hpp"

#include <gtest/gtest.h>

#include <random>
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

// Distinct stories: random signatures share almost no band.
TextFingerprint random_fingerprint(std::mt19937& rng) {
  TextFingerprint f;
  for (auto& h : f.minhash) h = static_cast<std::uint32_t>(rng());
  f.shingles = 100;
  return f;
}

// A near copy: most of the signature kept.
TextFingerprint near_copy(TextFingerprint f, std::mt19937& rng) {
  for (std::size_t i = 0; i < TextFingerprint::kHashes; i += 5)
    f.minhash[i] = static_cast<std::uint32_t>(rng());
  return f;
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

TEST(NearDuplicateIndex, FindsEachOfManyAfterTheTableGrows) {
  std::mt19937 rng(7);
  NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, 10'000);
  std::vector<TextFingerprint> fps;
  for (int i = 0; i < 3000; ++i) {
    fps.push_back(random_fingerprint(rng));
    index.add("r" + std::to_string(i), fps.back());
  }
  EXPECT_EQ(index.size(), 3000u);
  for (int i = 0; i < 3000; i += 7)
    EXPECT_EQ(index.find(near_copy(fps[i], rng)).value_or(""), "r" + std::to_string(i));
  EXPECT_FALSE(index.find(random_fingerprint(rng)).has_value());
}

// The largest maximum leaves 9 bits of each band slot for the key's tag, so
// unrelated entries share tags often: each such candidate is confirmed by its
// similarity, never taken for a match.
TEST(NearDuplicateIndex, ShortTagsAtTheLargestMaximumStillFindOnlyTrueCopies) {
  std::mt19937 rng(13);
  NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, 10'000'000);
  std::vector<TextFingerprint> fps;
  for (int i = 0; i < 3000; ++i) {
    fps.push_back(random_fingerprint(rng));
    index.add("r" + std::to_string(i), fps.back());
  }
  for (int i = 0; i < 3000; i += 7)
    EXPECT_EQ(index.find(near_copy(fps[i], rng)).value_or(""), "r" + std::to_string(i));
  for (int i = 0; i < 200; ++i) EXPECT_FALSE(index.find(random_fingerprint(rng)).has_value());
}

TEST(NearDuplicateIndex, BoundedToTheMostRecent) {
  std::mt19937 rng(11);
  constexpr std::size_t kMax = 100;
  NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, kMax);
  EXPECT_EQ(index.max_records(), kMax);
  std::vector<TextFingerprint> fps;
  for (std::size_t i = 0; i < 3 * kMax; ++i) {
    fps.push_back(random_fingerprint(rng));
    index.add("r" + std::to_string(i), fps.back());
    ASSERT_LE(index.size(), kMax);
  }
  EXPECT_GE(index.size(), kMax / 2);
  EXPECT_EQ(index.find(near_copy(fps.back(), rng)).value_or(""), "r" + std::to_string(3 * kMax - 1));
  EXPECT_EQ(index.find(near_copy(fps[3 * kMax - kMax / 2], rng)).value_or(""),
            "r" + std::to_string(3 * kMax - kMax / 2));
  EXPECT_FALSE(index.find(near_copy(fps[0], rng)).has_value());
  EXPECT_FALSE(index.find(near_copy(fps[kMax], rng)).has_value());
}

TEST(NearDuplicateIndex, FirstAddedWinsAcrossGenerations) {
  std::mt19937 rng(5);
  NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, 4);  // generations of 2
  auto story = random_fingerprint(rng);
  index.add("a", story);
  index.add("b", random_fingerprint(rng));
  index.add("c", near_copy(story, rng));  // a new generation; "a" is in the older one
  EXPECT_EQ(index.find(near_copy(story, rng)).value_or(""), "a");
  index.add("d", random_fingerprint(rng));
  index.add("e", random_fingerprint(rng));  // drops the generation of "a"
  EXPECT_LE(index.size(), 4u);
  EXPECT_EQ(index.find(near_copy(story, rng)).value_or(""), "c");
}

TEST(NearDuplicateIndex, OddAndTinyMaximums) {
  std::mt19937 rng(3);
  for (std::size_t max : {1u, 3u, 7u}) {
    NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, max);
    TextFingerprint last;
    for (int i = 0; i < 20; ++i) {
      last = random_fingerprint(rng);
      index.add("r" + std::to_string(i), last);
      ASSERT_LE(index.size(), max);
    }
    EXPECT_EQ(index.find(near_copy(last, rng)).value_or(""), "r19") << max;
  }
}

TEST(NearDuplicateIndex, ZeroMaximumHoldsNothing) {
  std::mt19937 rng(9);
  NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, 0);
  auto f = random_fingerprint(rng);
  index.add("a", f);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.find(f).has_value());
}
