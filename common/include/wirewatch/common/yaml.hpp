#pragma once
// YAML documents that remember where every node came from, so config and rule
// loaders can report `file:line:col: error: message` with columns in code points.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wirewatch/common/diagnostic.hpp"

namespace wirewatch {

class YamlDocument {
 public:
  YamlDocument(std::string file, std::string text, YAML::Node root);

  const std::string& file() const { return file_; }
  const YAML::Node& root() const { return root_; }

  // Where a node starts (1-based line, column in code points).
  SourceLocation location(const YAML::Node& node) const;
  SourceLocation location(const YAML::Mark& mark) const;
  // The text of a 1-based line, without its newline; empty when out of range.
  std::string_view line_text(int line) const;

  void error(Diagnostics& diags, const YAML::Node& node, std::string message) const;
  void error(Diagnostics& diags, const SourceLocation& where, std::string message) const;
  void warning(Diagnostics& diags, const SourceLocation& where, std::string message) const;

  // Reports every unknown key of `map` (not in `allowed`); `what` names the
  // mapping in the message, e.g. "rule". Returns false when any was found.
  bool check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                  std::string_view what, Diagnostics& diags) const;

  // A scalar as a string, or an error at the node ("expected a string for `key`").
  std::optional<std::string> scalar(const YAML::Node& node, std::string_view key, Diagnostics& diags) const;

 private:
  std::string file_;
  std::string text_;
  // [begin, end) byte offsets of each line in text_: offsets, not views, so a
  // moved document (short texts live inside the string object) stays valid.
  std::vector<std::pair<std::size_t, std::size_t>> lines_;
  YAML::Node root_;
};

struct YamlLimits {
  std::uint64_t max_bytes = 16 * 1024 * 1024;
  // Nesting of mappings and sequences (yaml-cpp itself stops at 2000, before
  // its recursive parser can exhaust the stack).
  std::size_t max_depth = 64;
};

// Which limit refused a document, for counters.
enum class YamlLimitTripped { none, bytes, depth };

// Reads and parses a file. On failure returns nullopt with a located diagnostic.
// Duplicate keys anywhere in the document are reported (yaml-cpp keeps them silently).
std::optional<YamlDocument> load_yaml_file(const std::filesystem::path& path, Diagnostics& diags,
                                           YamlLimits limits = {}, YamlLimitTripped* tripped = nullptr);
std::optional<YamlDocument> parse_yaml(std::string file, std::string text, Diagnostics& diags,
                                       YamlLimits limits = {}, YamlLimitTripped* tripped = nullptr);

}  // namespace wirewatch
