// JSON Feed 1.0/1.1: the JSON reader on its own (UTF-8 text, as parse_feed
// hands it over), then the whole parse_feed path with a JSON Content-Type.

#include "feed_parser_detail.hpp"
#include "fuzz_input.hpp"
#include "wirewatch/connectors/feed_item.hpp"
#include "wirewatch/connectors/feed_parser.hpp"

using namespace wirewatch;
using namespace wirewatch::connectors;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  FeedParseOptions options;
  options.base_url = "https://example.org/blog/feed.json";
  options.content_type = "application/feed+json";
  options.feed_id = "fuzz";

  ParsedFeed direct;
  detail::parse_json_feed(in, options, direct);
  (void)item_keys(direct.entries);

  auto feed = parse_feed(in, options);
  (void)item_keys(feed.entries);
  return 0;
}
