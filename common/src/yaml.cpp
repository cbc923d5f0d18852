#include "wirewatch/common/yaml.hpp"

#include <yaml-cpp/depthguard.h>

#include <fstream>
#include <set>
#include <sstream>

#include "wirewatch/common/text.hpp"

namespace wirewatch {
namespace {

std::vector<std::pair<std::size_t, std::size_t>> split_lines(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    auto end = nl == std::string_view::npos ? text.size() : nl;
    if (end > start && text[end - 1] == '\r') --end;
    lines.emplace_back(start, end);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

void check_duplicate_keys(const YamlDocument& doc, const YAML::Node& node, Diagnostics& diags) {
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second) {
        doc.error(diags, kv.first, "duplicate key `" + kv.first.Scalar() + "`");
      }
      check_duplicate_keys(doc, kv.second, diags);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) check_duplicate_keys(doc, item, diags);
  }
}

// The first node nested deeper than `max` (the root is depth 1), if any.
std::optional<YAML::Node> too_deep(const YAML::Node& node, std::size_t max, std::size_t depth) {
  if (!node.IsMap() && !node.IsSequence()) return std::nullopt;
  if (depth > max) return node;
  if (node.IsMap()) {
    for (const auto& kv : node)
      if (auto n = too_deep(kv.second, max, depth + 1)) return n;
  } else {
    for (const auto& item : node)
      if (auto n = too_deep(item, max, depth + 1)) return n;
  }
  return std::nullopt;
}

}  // namespace

YamlDocument::YamlDocument(std::string file, std::string text, YAML::Node root)
    : file_(std::move(file)), text_(std::move(text)), root_(std::move(root)) {
  lines_ = split_lines(text_);
}

std::string_view YamlDocument::line_text(int line) const {
  if (line < 1 || static_cast<std::size_t>(line) > lines_.size()) return {};
  auto [begin, end] = lines_[static_cast<std::size_t>(line - 1)];
  return std::string_view(text_).substr(begin, end - begin);
}

SourceLocation YamlDocument::location(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return {file_, 0, 0};
  int line = mark.line + 1;
  // yaml-cpp counts columns in bytes; diagnostics count code points.
  auto text = line_text(line);
  auto byte_col = std::min(static_cast<std::size_t>(std::max(mark.column, 0)), text.size());
  int col = static_cast<int>(code_point_count(text.substr(0, byte_col))) + 1;
  return {file_, line, col};
}

SourceLocation YamlDocument::location(const YAML::Node& node) const { return location(node.Mark()); }

void YamlDocument::error(Diagnostics& diags, const YAML::Node& node, std::string message) const {
  error(diags, location(node), std::move(message));
}

void YamlDocument::error(Diagnostics& diags, const SourceLocation& where, std::string message) const {
  diags.error(where, std::move(message), std::string(line_text(where.line)));
}

void YamlDocument::warning(Diagnostics& diags, const SourceLocation& where, std::string message) const {
  diags.warning(where, std::move(message), std::string(line_text(where.line)));
}

bool YamlDocument::check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                              std::string_view what, Diagnostics& diags) const {
  bool ok = true;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) {
      std::string expected;
      for (auto a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
      error(diags, kv.first,
            "unknown key `" + key + "` in " + std::string(what) + " (expected one of: " + expected + ")");
      ok = false;
    }
  }
  return ok;
}

std::optional<std::string> YamlDocument::scalar(const YAML::Node& node, std::string_view key,
                                                Diagnostics& diags) const {
  if (!node.IsScalar()) {
    error(diags, node, "expected a string for `" + std::string(key) + "`");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<YamlDocument> parse_yaml(std::string file, std::string text, Diagnostics& diags,
                                       YamlLimits limits, YamlLimitTripped* tripped) {
  if (!is_valid_utf8(text)) {
    diags.error({file, 0, 0}, "file is not valid UTF-8");
    return std::nullopt;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    if (tripped) *tripped = YamlLimitTripped::depth;
    YamlDocument located(file, text, YAML::Node());
    located.error(
        diags, located.location(e.mark),
        "nested more than " + std::to_string(limits.max_depth) + " levels deep (limits.max_yaml_depth)");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    YamlDocument located(file, text, YAML::Node());
    located.error(diags, located.location(e.mark), e.msg);
    return std::nullopt;
  }
  YamlDocument doc(std::move(file), std::move(text), root);
  if (auto deep = too_deep(doc.root(), limits.max_depth, 1)) {
    if (tripped) *tripped = YamlLimitTripped::depth;
    doc.error(
        diags, *deep,
        "nested more than " + std::to_string(limits.max_depth) + " levels deep (limits.max_yaml_depth)");
    return std::nullopt;
  }
  Diagnostics dups;
  check_duplicate_keys(doc, doc.root(), dups);
  diags.append(dups);
  if (dups.has_errors()) return std::nullopt;
  return doc;
}

std::optional<YamlDocument> load_yaml_file(const std::filesystem::path& path, Diagnostics& diags,
                                           YamlLimits limits, YamlLimitTripped* tripped) {
  const std::string name = path.string();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    diags.error({name, 0, 0}, "cannot read file: " + ec.message());
    return std::nullopt;
  }
  if (size > limits.max_bytes) {
    if (tripped) *tripped = YamlLimitTripped::bytes;
    diags.error({name, 0, 0}, "file is larger than the limit of " + std::to_string(limits.max_bytes) +
                                  " bytes (limits.max_yaml_bytes)");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error({name, 0, 0}, "cannot open file");
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_yaml(name, buf.str(), diags, limits, tripped);
}

}  // namespace wirewatch
