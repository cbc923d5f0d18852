// Loading rule files in phases: read every YAML file → collect lists, ids and
// every structural problem of every file → parse every query against all lists
// → compile into an immutable RuleSet when no error was found. Diagnostics come
// out in file order, then by line and column.

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include "rule_set_impl.hpp"
#include "wirewatch/common/text.hpp"
#include "wirewatch/common/units.hpp"
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

std::optional<Severity> parse_severity(std::string_view s) {
  for (auto v : {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical})
    if (severity_name(v) == s) return v;
  return std::nullopt;
}

std::optional<Throttle> parse_throttle(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::uint32_t count = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + slash, count);
  if (ec != std::errc() || p != s.data() + slash || count == 0) return std::nullopt;
  auto window = parse_duration(s.substr(slash + 1));
  if (!window || window->count() <= 0) return std::nullopt;
  return Throttle{count, *window, std::string(s)};
}

std::string location_text(const SourceLocation& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

// A record in the record format: line 1 the title, then the body.
DocumentFields record_from_text(const std::string& text) {
  DocumentFields f;
  const auto nl = text.find('\n');
  f.title = text.substr(0, nl);
  if (nl != std::string::npos) f.body = text.substr(nl + 1);
  while (!f.body.empty() && (f.body.front() == '\n' || f.body.front() == '\r')) f.body.erase(0, 1);
  while (!f.body.empty() && (f.body.back() == '\n' || f.body.back() == '\r')) f.body.pop_back();
  return f;
}

// Where a query's code point `offset` lies in the YAML source. Exact for plain and
// quoted scalars on one line (a quote adds one column); for escapes, folded lines
// and block scalars it follows the value through the source as far as it can.
SourceLocation query_location(const YamlDocument& doc, const YAML::Node& value, std::string_view text,
                              int offset) {
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

// Where to report problems in a query: a YAML value, or a rule given in code.
struct QuerySite {
  const YamlDocument* doc = nullptr;
  YAML::Node value;
  std::string file;  // rules given in code, whose line is the query itself
  int line = 0;

  SourceLocation at(std::string_view text, int offset) const {
    if (doc) return query_location(*doc, value, text, offset);
    return {file, line, offset + 1};
  }
  void report(Diagnostics& diags, bool error, std::string_view text, int offset, std::string message) const {
    const auto where = at(text, offset);
    const std::string line_text(doc ? doc->line_text(where.line) : text);
    if (error)
      diags.error(where, std::move(message), line_text);
    else
      diags.warning(where, std::move(message), line_text);
  }
};

struct Pending {
  RuleInfo info;
  QuerySite site;
  bool ok = true;
};

class Loader {
 public:
  void set_limits(const RuleLimits& limits) { limits_ = limits; }

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
      note_file(path.string());
      diags_.error({path.string(), 0, 0}, msg::cannot_read_directory(ec.message()));
      return;
    }
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return a.filename().string() < b.filename().string();
    });
    for (const auto& f : files) load_file(f);
  }

  void load_text(const std::string& file, const std::string& text) {
    note_file(file);
    if (auto doc = parse_yaml(file, text, diags_)) collect(std::move(*doc));
  }

  // Rules given in code.
  void add_definitions(const std::vector<RuleDefinition>& defs,
                       const std::map<std::string, std::vector<std::string>, std::less<>>& lists) {
    const std::string file = "<rules>";
    note_file(file);
    for (const auto& [name, entries] : lists) {
      bool ok = is_name(name);
      if (!ok) diags_.error({"<lists>", 0, 0}, msg::invalid_list_name(name));
      for (const auto& e : entries)
        for (const auto& p : check_list_entry(e)) {
          diags_.error({"<lists>:" + name, 0, p.offset + 1}, p.message, e);
          ok = false;
        }
      lists_[name] = entries;
    }
    code_ids_.reserve(defs.size());
    pending_.reserve(pending_.size() + defs.size());
    for (std::size_t i = 0; i < defs.size(); ++i) {
      const auto& d = defs[i];
      Pending p;
      p.site.file = file;
      p.site.line = static_cast<int>(i + 1);
      p.info.id = d.id;
      p.info.query = d.query;
      p.info.topic = d.topic.empty() ? "alerts." + d.id : d.topic;
      p.info.severity = d.severity;
      p.info.description = d.description;
      p.info.tags = d.tags;
      p.info.enabled = d.enabled;
      p.info.sources = d.sources;
      p.info.throttle = d.throttle;
      p.info.where = {file, p.site.line, 0};
      p.info.query_where = {file, p.site.line, 1};
      if (!is_name(d.id)) {
        diags_.error(p.info.where, msg::invalid_id(d.id));
        p.ok = false;
      } else if (const auto first = code_ids_.insert(d.id, static_cast<std::uint32_t>(p.site.line));
                 first != static_cast<std::uint32_t>(p.site.line)) {
        diags_.error(p.info.where, msg::duplicate_id(d.id, file + ":" + std::to_string(first) + ":0"));
        p.ok = false;
      }
      pending_.push_back(std::move(p));
    }
  }

  LoadResult finish() {
    // Phase 3: every query, now that every list is known.
    if (pending_.size() > limits_.max_rules) {
      const auto& first = pending_[limits_.max_rules];
      diags_.error(first.info.where, "more than " + std::to_string(limits_.max_rules) +
                                         " rules (limits.max_rules): this one and the " +
                                         std::to_string(pending_.size() - limits_.max_rules - 1) +
                                         " after it are one too many");
      tripped_.push_back("max_rules");
      LoadResult result;
      result.diagnostics = sorted_diagnostics();
      result.limits_tripped = tripped_;
      return result;
    }
    // Each rule is compiled as soon as its query is parsed, while no error has
    // been found: its parse tree is still in the cache then, and is freed at
    // once (100k trees kept for a second pass would not fit in any cache). A set
    // with errors is dropped at the end; every query is still parsed for its
    // diagnostics.
    auto impl = std::make_unique<RuleSet::Impl>();
    impl->reserve(pending_.size());
    bool failed = diags_.has_errors();
    for (auto& p : pending_) {
      if (p.info.query.size() > limits_.query.max_length) tripped_.push_back("max_query_length");
      auto parsed = parse_query(p.info.query, lists_, limits_.query);
      for (const auto& e : parsed.errors)
        if (e.message.find("(limits.max_query_depth)") != std::string::npos)
          tripped_.push_back("max_query_depth");
      for (const auto& w : parsed.warnings) p.site.report(diags_, false, p.info.query, w.offset, w.message);
      for (const auto& e : parsed.errors) p.site.report(diags_, true, p.info.query, e.offset, e.message);
      if (!parsed.root) p.ok = false;
      failed = failed || !p.ok;
      if (!failed) impl->add(std::move(p.info), *parsed.root);
    }

    LoadResult result;
    result.diagnostics = sorted_diagnostics();
    result.limits_tripped = tripped_;
    if (result.diagnostics.has_errors()) return result;
    impl->finish();
    result.rules = std::make_shared<const RuleSet>(std::move(impl));
    return result;
  }

 private:
  void note_file(const std::string& file) {
    if (!file_order_.count(file)) file_order_.emplace(file, file_order_.size());
  }

  Diagnostics sorted_diagnostics() {
    std::vector<Diagnostic> items = diags_.items();
    auto order = [&](const Diagnostic& d) {
      auto it = file_order_.find(d.where.file);
      return it == file_order_.end() ? file_order_.size() : it->second;
    };
    std::stable_sort(items.begin(), items.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      const auto oa = order(a), ob = order(b);
      if (oa != ob) return oa < ob;
      if (a.where.line != b.where.line) return a.where.line < b.where.line;
      return a.where.column < b.where.column;
    });
    Diagnostics out;
    for (auto& d : items) out.add(std::move(d));
    return out;
  }

  void load_file(const fs::path& path) {
    note_file(path.string());
    YamlLimitTripped yaml_tripped = YamlLimitTripped::none;
    if (auto doc = load_yaml_file(path, diags_, limits_.yaml, &yaml_tripped)) collect(std::move(*doc));
    if (yaml_tripped == YamlLimitTripped::bytes) tripped_.push_back("max_yaml_bytes");
    if (yaml_tripped == YamlLimitTripped::depth) tripped_.push_back("max_yaml_depth");
  }

  // Where to report a problem with a value: the value, or its key when it is empty.
  static SourceLocation where(const YamlDocument& doc, const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() ? doc.location(key) : doc.location(value);
  }

  std::optional<std::string> string_value(const YamlDocument& doc, const YAML::Node& key,
                                          const YAML::Node& value) {
    if (value.IsScalar()) return value.Scalar();
    doc.error(diags_, where(doc, key, value), msg::expected_string(key.Scalar()));
    return std::nullopt;
  }

  std::optional<std::vector<std::string>> string_list(const YamlDocument& doc, const YAML::Node& key,
                                                      const YAML::Node& value) {
    std::vector<std::string> out;
    if (value.IsNull()) return out;
    if (!value.IsSequence()) {
      doc.error(diags_, where(doc, key, value), msg::expected_string_list(key.Scalar()));
      return std::nullopt;
    }
    bool ok = true;
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        doc.error(diags_, item, msg::expected_string_list(key.Scalar()));
        ok = false;
        continue;
      }
      out.push_back(item.Scalar());
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // Phase 2 for one file: lists and the shape of every rule.
  void collect(YamlDocument parsed) {
    docs_.push_back(std::move(parsed));
    const YamlDocument& doc = docs_.back();
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
        collect_lists(doc, kv.first, kv.second);
      } else if (key == "rules") {
        if (kv.second.IsNull()) continue;  // `rules:` with every rule commented out
        if (!kv.second.IsSequence()) {
          doc.error(diags_, kv.second, msg::rules_not_sequence());
          continue;
        }
        for (const auto& rule : kv.second) collect_rule(doc, rule);
      }
    }
  }

  void collect_lists(const YamlDocument& doc, const YAML::Node& key, const YAML::Node& lists) {
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
      bool ok = true;
      if (!is_name(name)) {
        doc.error(diags_, kv.first, msg::invalid_list_name(name));
        ok = false;
      }
      const auto here = doc.location(kv.first);
      if (auto [it, inserted] = list_where_.try_emplace(name, here); !inserted) {
        doc.error(diags_, here, msg::duplicate_list(name, location_text(it->second)));
        ok = false;
      }
      if (!kv.second.IsSequence()) {
        if (!kv.second.IsNull()) {
          doc.error(diags_, where(doc, kv.first, kv.second), msg::list_not_sequence(name));
          continue;
        }
        if (ok) lists_[name] = {};
        continue;
      }
      std::vector<std::string> entries;
      for (const auto& item : kv.second) {
        if (!item.IsScalar()) {
          doc.error(diags_, item, msg::list_item_not_string(name));
          continue;
        }
        const std::string& entry = item.Scalar();
        for (const auto& p : check_list_entry(entry))
          doc.error(diags_, query_location(doc, item, entry, p.offset), p.message);
        entries.push_back(entry);
      }
      if (ok) lists_[name] = std::move(entries);
    }
  }

  void collect_tests(const YamlDocument& doc, const YAML::Node& key, const YAML::Node& value,
                     RuleTests& tests, bool& ok) {
    if (value.IsNull()) return;
    if (!value.IsMap()) {
      doc.error(diags_, where(doc, key, value), msg::tests_not_mapping());
      ok = false;
      return;
    }
    ok = doc.check_keys(value, {"match", "no_match"}, "tests", diags_) && ok;
    for (const auto& kv : value) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      if (k != "match" && k != "no_match") continue;
      auto& into = k == "match" ? tests.match : tests.no_match;
      if (kv.second.IsNull()) continue;
      if (!kv.second.IsSequence()) {
        doc.error(diags_, where(doc, kv.first, kv.second), msg::test_cases_not_sequence(k));
        ok = false;
        continue;
      }
      for (const auto& item : kv.second) {
        RuleTestCase c;
        c.where = doc.location(item);
        if (item.IsScalar()) {
          c.record = record_from_text(item.Scalar());
        } else if (item.IsMap()) {
          if (!doc.check_keys(item, {"title", "body", "url", "author", "source", "lang"}, "test record",
                              diags_)) {
            ok = false;
            continue;
          }
          for (const auto& f : item) {
            const std::string name = f.first.Scalar();
            auto v = string_value(doc, f.first, f.second);
            if (!v) {
              ok = false;
              continue;
            }
            if (name == "title")
              c.record.title = *v;
            else if (name == "body")
              c.record.body = *v;
            else if (name == "url")
              c.record.url = *v;
            else if (name == "author")
              c.record.author = *v;
            else if (name == "source")
              c.record.source_id = *v;
            else if (name == "lang")
              c.record.lang = *v;
          }
        } else {
          doc.error(diags_, item, msg::test_case_invalid());
          ok = false;
          continue;
        }
        into.push_back(std::move(c));
      }
    }
  }

  void collect_rule(const YamlDocument& doc, const YAML::Node& node) {
    if (!node.IsMap()) {
      doc.error(diags_, node, msg::rule_not_mapping());
      return;
    }
    bool ok = doc.check_keys(node,
                             {"id", "query", "topic", "severity", "description", "tags", "enabled", "sources",
                              "throttle", "tests"},
                             "rule", diags_);
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

    bool query_ok = false;
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
      rule.site.doc = &doc;
      rule.site.value = e.value;
      rule.info.query_where = query_location(doc, e.value, *query, 0);
      query_ok = true;
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
      } else if (topic->starts_with("records.") || topic->starts_with("wirewatch.")) {
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

    if (const Entry& e = get("tags"); e.present) {
      if (auto tags = string_list(doc, e.key, e.value))
        rule.info.tags = std::move(*tags);
      else
        ok = false;
    }

    if (const Entry& e = get("enabled"); e.present) {
      const std::string v = e.value.IsScalar() ? e.value.Scalar() : std::string();
      if (v == "true") {
        rule.info.enabled = true;
      } else if (v == "false") {
        rule.info.enabled = false;
      } else {
        doc.error(diags_, where(doc, e.key, e.value), msg::expected_bool("enabled"));
        ok = false;
      }
    }

    if (const Entry& e = get("sources"); e.present) {
      if (auto sources = string_list(doc, e.key, e.value)) {
        std::size_t i = 0;
        for (const auto& s : *sources) {
          if (!is_name(s)) {
            doc.error(diags_, e.value[i], msg::invalid_source_id(s));
            ok = false;
          }
          ++i;
        }
        rule.info.sources = std::move(*sources);
      } else {
        ok = false;
      }
    }

    if (const Entry& e = get("throttle"); e.present) {
      if (auto text = string_value(doc, e.key, e.value); !text) {
        ok = false;
      } else if (auto t = parse_throttle(*text); !t) {
        doc.error(diags_, e.value, msg::invalid_throttle(*text));
        ok = false;
      } else {
        rule.info.throttle = std::move(*t);
      }
    }

    if (const Entry& e = get("tests"); e.present) collect_tests(doc, e.key, e.value, rule.info.tests, ok);

    // The query is parsed in phase 3, when every list of every file is known;
    // a rule with other errors still has its query checked.
    rule.ok = ok;
    if (query_ok) pending_.push_back(std::move(rule));
  }

  std::deque<YamlDocument> docs_;
  Diagnostics diags_;
  std::unordered_map<std::string, std::size_t> file_order_;
  QueryLists lists_;
  std::unordered_map<std::string, SourceLocation> list_where_;
  std::vector<Pending> pending_;
  std::unordered_map<std::string, SourceLocation> ids_;
  detail::StringIndex code_ids_;  // rules given in code: id -> line
  RuleLimits limits_;
  std::vector<std::string> tripped_;
};

}  // namespace

LoadResult load_rules(const std::vector<std::filesystem::path>& paths, const RuleLimits& limits) {
  Loader loader;
  loader.set_limits(limits);
  for (const auto& p : paths) loader.load_path(p);
  return loader.finish();
}

LoadResult load_rules_from_string(const std::string& file, const std::string& text) {
  Loader loader;
  loader.load_text(file, text);
  return loader.finish();
}

LoadResult compile_rules(const std::vector<RuleDefinition>& rules,
                         const std::map<std::string, std::vector<std::string>, std::less<>>& lists,
                         const RuleLimits& limits) {
  Loader loader;
  loader.set_limits(limits);
  loader.add_definitions(rules, lists);
  return loader.finish();
}

}  // namespace wirewatch::rules
