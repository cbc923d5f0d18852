#pragma once
// The text of an HTML fragment (a feed item's summary or content) as record
// paragraphs: block elements, list items, headings and <br><br> break
// paragraphs; scripts, styles and embedded objects are dropped; each paragraph
// is normalized (NFC, whitespace collapsed, zero-width characters removed).

#include <string>
#include <string_view>
#include <vector>

namespace wirewatch {

std::vector<std::string> html_to_paragraphs(std::string_view html);

}  // namespace wirewatch
