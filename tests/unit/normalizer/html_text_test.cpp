#include "wirewatch/normalizer/html_text.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(HtmlText, FeedSummaryBecomesParagraphs) {
  auto p = html_to_paragraphs(
      "<p>First&nbsp;paragraph,<br>same one.</p><script>var x;</script>"
      "<ul><li>Item one</li><li>Item <b>two</b></li></ul>Tail line<br><br>After breaks");
  std::vector<std::string> want = {"First paragraph, same one.", "Item one", "Item two", "Tail line",
                                   "After breaks"};
  EXPECT_EQ(p, want);
  EXPECT_TRUE(html_to_paragraphs("").empty());
  EXPECT_EQ(html_to_paragraphs("plain text, no markup"), std::vector<std::string>{"plain text, no markup"});
}
