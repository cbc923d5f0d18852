// Article extraction from any page: the first byte picks the HTML parser
// (libxml2 or gumbo), the HTTP charset and whether a page URL is known; the
// rest is the page. Also the feed-summary HTML → paragraphs path and charset
// detection.

#include "wirewatch/normalizer/extract.hpp"

#include <array>

#include "fuzz_input.hpp"
#include "wirewatch/normalizer/charset.hpp"
#include "wirewatch/normalizer/html_text.hpp"

using namespace wirewatch;

namespace {

constexpr std::array<const char*, 8> kCharsets = {
    "", "utf-8", "windows-1251", "koi8-r", "iso-8859-1", "utf-16", "shift_jis", "x-bogus",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto pick = fuzz::take_byte(in);
  ExtractOptions options;
  options.parser = (pick & 1) ? HtmlParser::gumbo : HtmlParser::libxml2;
  options.charset = kCharsets[(pick >> 1) % kCharsets.size()];
  if ((pick & 0x10) == 0) options.url = "https://news.example.com/world/2024/03/article-1.html";
  options.fallback_title = "Fallback title";

  auto result = extract_article(in, options);
  if (auto* article = std::get_if<Article>(&result)) {
    for (const auto& p : article->text.paragraphs)
      if (p.find('\n') != std::string::npos) fuzz::invariant_failed();  // documented: no line breaks
  }
  (void)html_to_paragraphs(in);
  (void)detect_charset(in, options.charset);
  return 0;
}
