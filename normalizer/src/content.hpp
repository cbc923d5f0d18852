#pragma once
// Main-content extraction over the parsed tree. Internal to the normalizer.

#include <string>
#include <vector>

#include "dom.hpp"
#include "metadata.hpp"

namespace wirewatch::html {

struct ContentResult {
  std::vector<std::string> paragraphs;  // normalized, none empty
  std::string container;                // what was chosen, for debugging ("div#content.article")
};

// Marks boilerplate as removed, picks the main-text container by text and link
// density (with the page's own markup as a hint), and returns its paragraphs
// without the title, link lists and furniture.
ContentResult extract_content(Document& doc, const PageMeta& meta, std::string_view title);

}  // namespace wirewatch::html
