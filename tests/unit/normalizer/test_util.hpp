#pragma once
// Helpers shared by the normalizer tests.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "wirewatch/normalizer/extract.hpp"

namespace wirewatch::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::filesystem::path extraction_fixtures() {
  return std::filesystem::path(WIREWATCH_FIXTURES) / "extraction";
}

inline ExtractOptions url_options(std::string url) {
  ExtractOptions o;
  o.url = std::move(url);
  return o;
}
inline ExtractOptions parser_options(HtmlParser parser) {
  ExtractOptions o;
  o.parser = parser;
  return o;
}
inline ExtractOptions charset_options(std::string charset) {
  ExtractOptions o;
  o.charset = std::move(charset);
  return o;
}

// Extracts and fails the test when extraction fails.
inline Article extract_ok(std::string_view html, const ExtractOptions& options = {}) {
  auto result = extract_article(html, options);
  if (auto* err = std::get_if<ExtractError>(&result)) {
    ADD_FAILURE() << "extraction failed: " << err->message;
    return {};
  }
  return std::get<Article>(result);
}

}  // namespace wirewatch::test
