// Loading rule files: read YAML → collect and check every rule (reporting every
// problem of every file) → compile into an immutable RuleSet when there were none.

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "rule_set_impl.hpp"
#include "wirewatch/common/text.hpp"
#include "wirewatch/common/yaml.hpp"
#include "wirewatch/rules/messages.hpp"
#include "wirewatch/rules/query.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {
namespace {

namespace fs = std::filesystem;
namespace msg = messages;

// [A-Za-z0-9][A-Za-z0-9_.-]*
bool is_name(std::string_view s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (s.empty() || !alnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::optional<Severity> parse_severity(std::string_view s) {
  for (auto v : {Severity::info, Severity::low, Severity::medium, Severity::high,
                 Severity::critical})
    if (severity_name(v) == s) return v;
  return std::nullopt;
}

std::string location_text(const SourceLocation& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

// Where a query's code point `offset` lies in the YAML source. Exact for plain and
// quoted scalars on one line (a quote adds one column); for escapes, folded lines
// and block scalars it follows the value through the source as far as it can.
SourceLocation query_location(const YamlDocument& doc, const YAML::Node& value,
                              std::string_view text, int offset) {
  const SourceLocation base = doc.location(value);
  if (base.line <= 0 || base.column <= 0) return base;
  std::map<int, std::vector<char32_t>> lines;
  auto line_cps = [&](int n) -> const std::vector<char32_t>& {
    auto it = lines.find(n);
    if (it == lines.end()) it = lines.emplace(n, utf8_code_points(doc.line_text(n))).first;
    return it->second;
  };

  int line = base.line;
  std::size_t col = static_cast<std::size_t>(base.column - 1);  // 0-based code points
  const auto& first = line_cps(line);
  const char32_t style = col < first.size() ? first[col] : U' ';
  if (style == '"' || style == '\'') {
    ++col;
  } else if (style == '|' || style == '>') {
    ++line;
    col = 0;
  }

  const auto target = utf8_code_points(text);
  const auto stop = std::min(static_cast<std::size_t>(std::max(offset, 0)), target.size());
  constexpr int kLookahead = 64;
  for (std::size_t t = 0; t < stop || (t == stop && t < target.size()); ++t) {
    int l = line;
    std::size_t c = col;
    bool found = false;
    for (int step = 0; step < kLookahead; ++step) {
      const auto& cps = line_cps(l);
      const char32_t s = c < cps.size() ? cps[c] : U'\n';  // a line break folds to a space
      if (s == target[t] || (s == '\n' && is_space(target[t]))) {
        found = true;
        break;
      }
      if (c < cps.size()) {
        ++c;
      } else {
        ++l;
        c = 0;
      }
    }
    if (!found) {
      if (t == stop) break;  // an escape sequence: keep the cursor
      continue;
    }
    line = l;
    col = c;
    if (t == stop) break;
    if (col < line_cps(line).size()) {
      ++col;
    } else {
      ++line;
      col = 0;
    }
  }
  return {doc.file(), line, static_cast<int>(col) + 1};
}

struct Pending {
  RuleInfo info;
  std::unique_ptr<QueryNode> root;
};

class Loader {
 public:
  void load_path(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      load_file(path);
      return;
    }
    std::vector<fs::path> files;
    fs::directory_iterator it(path, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const auto name = it->path().filename().string();
      std::error_code type_ec;
      if (it->path().extension() == ".yaml" && name.front() != '.' &&
          fs::is_regular_file(it->path(), type_ec))
        files.push_back(it->path());
    }
    if (ec) {
      diags_.error({path.string(), 0, 0}, msg::cannot_read_directory(ec.message()));
      return;
    }
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return a.filename().string() < b.filename().string();
    });
    for (const auto& f : files) load_file(f);
  }

  void load_text(const std::string& file, const std::string& text) {
    if (auto doc = parse_yaml(file, text, diags_)) load_document(*doc);
  }

  LoadResult finish() {
    LoadResult result;
    result.diagnostics = std::move(diags_);
    if (result.diagnostics.has_errors()) return result;
    auto impl = std::make_unique<RuleSet::Impl>();
    for (auto& p : pending_) impl->add(std::move(p.info), *p.root);
    result.rules = std::make_shared<const RuleSet>(std::move(impl));
    return result;
  }

 private:
  void load_file(const fs::path& path) {
    if (auto doc = load_yaml_file(path, diags_)) load_document(*doc);
  }

  // Where to report a problem with a value: the value, or its key when it is empty.
  static SourceLocation where(const YamlDocument& doc, const YAML::Node& key,
                              const YAML::Node& value) {
    return value.IsNull() ? doc.location(key) : doc.location(value);
  }

  std::optional<std::string> string_value(const YamlDocument& doc, const YAML::Node& key,
                                          const YAML::Node& value) {
    if (value.IsScalar()) return value.Scalar();
    doc.error(diags_, where(doc, key, value), msg::expected_string(key.Scalar()));
    return std::nullopt;
  }

  void load_document(const YamlDocument& doc) {
    const YAML::Node& root = doc.root();
    if (root.IsNull()) return;  // an empty file, or only comments
    if (!root.IsMap()) {
      doc.error(diags_, root, msg::top_level_not_mapping());
      return;
    }
    doc.check_keys(root, {"rules", "lists"}, "rule file", diags_);
    for (const auto& kv : root) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      if (key == "lists") {
        check_lists(doc, kv.first, kv.second);
      } else if (key == "rules") {
        if (kv.second.IsNull()) continue;  // `rules:` with every rule commented out
        if (!kv.second.IsSequence()) {
          doc.error(diags_, kv.second, msg::rules_not_sequence());
          continue;
        }
        for (const auto& rule : kv.second) load_rule(doc, rule);
      }
    }
  }

  // Lists are for later work; for now only their shape is checked.
  void check_lists(const YamlDocument& doc, const YAML::Node& key, const YAML::Node& lists) {
    if (lists.IsNull()) return;
    if (!lists.IsMap()) {
      doc.error(diags_, where(doc, key, lists), msg::lists_not_mapping());
      return;
    }
    for (const auto& kv : lists) {
      if (!kv.first.IsScalar()) {
        doc.error(diags_, kv.first, msg::lists_not_mapping());
        continue;
      }
      const std::string& name = kv.first.Scalar();
      if (!kv.second.IsSequence()) {
        doc.error(diags_, where(doc, kv.first, kv.second), msg::list_not_sequence(name));
        continue;
      }
      for (const auto& item : kv.second)
        if (!item.IsScalar()) doc.error(diags_, item, msg::list_item_not_string(name));
    }
  }

  void load_rule(const YamlDocument& doc, const YAML::Node& node) {
    if (!node.IsMap()) {
      doc.error(diags_, node, msg::rule_not_mapping());
      return;
    }
    bool ok = doc.check_keys(node, {"id", "query", "topic", "severity", "description"}, "rule",
                             diags_);
    struct Entry {
      YAML::Node key, value;
      bool present = false;
    };
    std::unordered_map<std::string, Entry> entries;
    for (const auto& kv : node)
      if (kv.first.IsScalar()) entries[kv.first.Scalar()] = {kv.first, kv.second, true};
    auto get = [&](const std::string& k) -> const Entry& { return entries[k]; };

    Pending rule;
    bool id_ok = false;
    if (const Entry& e = get("id"); !e.present) {
      doc.error(diags_, node, msg::missing_key("id"));
      ok = false;
    } else if (auto id = string_value(doc, e.key, e.value); !id) {
      ok = false;
    } else if (!is_name(*id)) {
      doc.error(diags_, e.value, msg::invalid_id(*id));
      ok = false;
    } else {
      rule.info.id = *id;
      rule.info.where = doc.location(e.key);
      id_ok = true;
      auto [it, inserted] = ids_.try_emplace(*id, rule.info.where);
      if (!inserted) {
        doc.error(diags_, rule.info.where, msg::duplicate_id(*id, location_text(it->second)));
        ok = false;
      }
    }

    if (const Entry& e = get("query"); !e.present) {
      doc.error(diags_, node, msg::missing_key("query"));
      ok = false;
    } else if (e.value.IsNull()) {
      doc.error(diags_, e.key, msg::empty_query());
      ok = false;
    } else if (auto query = string_value(doc, e.key, e.value); !query) {
      ok = false;
    } else {
      rule.info.query = *query;
      auto parsed = parse_query(*query);
      for (const auto& w : parsed.warnings)
        doc.warning(diags_, query_location(doc, e.value, *query, w.offset), w.message);
      for (const auto& err : parsed.errors)
        doc.error(diags_, query_location(doc, e.value, *query, err.offset), err.message);
      if (parsed.root) {
        rule.root = std::move(parsed.root);
      } else {
        ok = false;
      }
    }

    if (const Entry& e = get("topic"); e.present) {
      if (auto topic = string_value(doc, e.key, e.value); !topic) {
        ok = false;
      } else if (topic->empty()) {
        doc.error(diags_, e.value, msg::empty_topic());
        ok = false;
      } else if (!is_name(*topic)) {
        doc.error(diags_, e.value, msg::invalid_topic(*topic));
        ok = false;
      } else if (starts_with(*topic, "records.") || starts_with(*topic, "wirewatch.")) {
        doc.error(diags_, e.value, msg::reserved_topic(*topic));
        ok = false;
      } else {
        rule.info.topic = *topic;
      }
    } else if (id_ok) {
      rule.info.topic = "alerts." + rule.info.id;
    }

    if (const Entry& e = get("severity"); e.present) {
      if (auto text = string_value(doc, e.key, e.value); !text) {
        ok = false;
      } else if (auto severity = parse_severity(*text); !severity) {
        doc.error(diags_, e.value, msg::invalid_severity(*text));
        ok = false;
      } else {
        rule.info.severity = *severity;
      }
    }

    if (const Entry& e = get("description"); e.present) {
      if (auto text = string_value(doc, e.key, e.value)) {
        rule.info.description = *text;
      } else {
        ok = false;
      }
    }

    if (ok) pending_.push_back(std::move(rule));
  }

  Diagnostics diags_;
  std::vector<Pending> pending_;
  std::unordered_map<std::string, SourceLocation> ids_;
};

}  // namespace

LoadResult load_rules(const std::vector<std::filesystem::path>& paths) {
  Loader loader;
  for (const auto& p : paths) loader.load_path(p);
  return loader.finish();
}

LoadResult load_rules_from_string(const std::string& file, const std::string& text) {
  Loader loader;
  loader.load_text(file, text);
  return loader.finish();
}

}  // namespace wirewatch::rules
