// Item keys: how wirewatch tells an item it has seen from a new one.
#include <unordered_map>

#include "wirewatch/common/hash.hpp"
#include "wirewatch/connectors/feed_item.hpp"

namespace wirewatch::connectors {

std::string item_hash_key(const FeedItem& item) {
  std::string data;
  data.reserve(item.link.size() + item.title.size() + 1);
  data += item.link;
  data += '\n';
  data += item.title;
  return "sha256:" + sha256_hex(data, 16);
}

std::string item_key(const FeedItem& item) { return item.guid.empty() ? item_hash_key(item) : item.guid; }

std::vector<std::string> item_keys(std::span<const FeedItem> items) {
  std::unordered_map<std::string_view, int> guid_count;
  for (const auto& item : items) {
    if (!item.guid.empty()) ++guid_count[item.guid];
  }
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const auto& item : items) {
    const bool repeated = !item.guid.empty() && guid_count[item.guid] > 1;
    keys.push_back(repeated ? item_hash_key(item) : item_key(item));
  }
  return keys;
}

}  // namespace wirewatch::connectors
