// parse_feed on any bytes, with the HTTP Content-Type a server may send: the
// first byte picks one from a table, or with 0xff the first line is the
// Content-Type. Covers charset detection and conversion (iconv), the XML and
// JSON readers, markup repair, link resolution and item keys.

#include <array>
#include <string>

#include "fuzz_input.hpp"
#include "wirewatch/connectors/charset.hpp"
#include "wirewatch/connectors/feed_parser.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"

using namespace wirewatch;
using namespace wirewatch::connectors;

namespace {

constexpr std::array<std::string_view, 16> kContentTypes = {
    "",
    "application/rss+xml",
    "application/atom+xml; charset=utf-8",
    "text/xml; charset=windows-1251",
    "text/xml; charset=koi8-r",
    "application/xml; charset=\"ISO-8859-5\"",
    "text/xml; charset=utf-16",
    "text/xml; charset=utf-16be",
    "text/xml; charset=utf-32",
    "text/xml; charset=shift_jis",
    "text/xml; charset=gb18030",
    "text/xml; charset=utf-7",
    "text/html; charset=x-unknown-charset",
    "application/feed+json",
    "application/json; charset=latin1",
    "text/plain; charset=",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto pick = fuzz::take_byte(in);
  FeedParseOptions options;
  options.content_type = pick == 0xff ? std::string(fuzz::take_line(in))
                                      : std::string(kContentTypes[pick % kContentTypes.size()]);
  options.http_charset = charset_from_content_type(options.content_type);
  (void)content_type_charset(options.content_type);  // the fetcher's reading of the header
  options.base_url = (pick & 0x10) ? "" : "http://example.com/feeds/news/feed.xml";
  options.feed_id = "fuzz";

  auto feed = parse_feed(in, options);
  if (feed.ok() && format_name(feed.format).empty()) fuzz::invariant_failed();
  (void)item_keys(feed.entries);

  CharsetHints hints;
  hints.http_charset = options.http_charset;
  hints.xml = (pick & 0x20) == 0;
  auto decoded = decode_to_utf8(in, hints);
  if (!is_utf8(decoded.text)) fuzz::invariant_failed();
  return 0;
}
