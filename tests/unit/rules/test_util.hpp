#pragma once
// Helpers shared by the rules tests.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/document.hpp"

namespace wirewatch::rules::testing {

inline std::filesystem::path fixtures() { return std::filesystem::path(WIREWATCH_FIXTURES); }

// `length` code points of `text` from code point `offset`.
inline std::string slice(std::string_view text, std::size_t offset, std::size_t length) {
  auto cps = utf8_code_points(text);
  std::string out;
  for (std::size_t i = offset; i < offset + length && i < cps.size(); ++i) append_utf8(out, cps[i]);
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A record file: line 1 the title, a blank line, then the body (paragraphs
// separated by blank lines), as written.
inline TextDocument read_record(const std::filesystem::path& p) {
  const std::string text = read_file(p);
  const auto nl = text.find('\n');
  std::string title = text.substr(0, nl);
  std::string body = nl == std::string::npos ? std::string() : text.substr(nl + 1);
  while (!body.empty() && body.front() == '\n') body.erase(0, 1);
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return TextDocument(std::move(title), std::move(body));
}

}  // namespace wirewatch::rules::testing
