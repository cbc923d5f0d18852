#include <gtest/gtest.h>

#include "fixture.hpp"
#include "wirewatch/connectors/feed_item.hpp"
#include "wirewatch/connectors/feed_parser.hpp"

using namespace wirewatch::connectors;

namespace {

FeedItem item(std::string guid, std::string link, std::string title) {
  FeedItem i;
  i.guid = std::move(guid);
  i.link = std::move(link);
  i.title = std::move(title);
  return i;
}

}  // namespace

TEST(ItemKey, GuidWhenPresent) { EXPECT_EQ(item_key(item("g-1", "http://a", "A")), "g-1"); }

TEST(ItemKey, HashOfLinkAndTitleWithoutGuid) {
  const std::string k = item_key(item("", "http://a", "A"));
  EXPECT_TRUE(k.starts_with("sha256:"));
  EXPECT_EQ(k.size(), 7u + 32u);
  EXPECT_EQ(k, item_key(item("", "http://a", "A")));                        // stable
  EXPECT_NE(k, item_key(item("", "http://a", "B")));                        // title matters
  EXPECT_NE(k, item_key(item("", "http://b", "A")));                        // link matters
  EXPECT_NE(item_key(item("", "ab", "c")), item_key(item("", "a", "bc")));  // no ambiguity at the seam
  EXPECT_EQ(item_hash_key(item("g-1", "http://a", "A")), k);
}

TEST(ItemKey, RepeatedGuidsFallBackToTheHashForAllOfThem) {
  const std::vector<FeedItem> items = {item("same", "http://a", "A"), item("unique", "http://b", "B"),
                                       item("same", "http://c", "C"), item("", "http://d", "D")};
  const auto keys = item_keys(items);
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[0], item_hash_key(items[0]));
  EXPECT_EQ(keys[1], "unique");
  EXPECT_EQ(keys[2], item_hash_key(items[2]));
  EXPECT_NE(keys[0], keys[2]);
  EXPECT_EQ(keys[3], item_hash_key(items[3]));
  // the order of the items does not change any key
  const std::vector<FeedItem> reversed(items.rbegin(), items.rend());
  const auto rkeys = item_keys(reversed);
  EXPECT_EQ(rkeys[3], keys[0]);
  EXPECT_EQ(rkeys[1], keys[2]);
}

TEST(ItemKey, OnAParsedFeed) {
  const auto f = parse_feed(wirewatch::test::feed_fixture("rss20.xml"));
  const auto keys = item_keys(f.entries);
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[0], "news-1001");
  EXPECT_TRUE(keys[2].starts_with("sha256:"));  // "same-guid" twice
  EXPECT_TRUE(keys[3].starts_with("sha256:"));
  EXPECT_NE(keys[2], keys[3]);
}
