#pragma once
// Rule files are loaded in phases (read YAML → collect and check → compile) into
// an immutable RuleSet that threads share through a shared_ptr<const RuleSet>.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "wirewatch/common/diagnostic.hpp"
#include "wirewatch/rules/document.hpp"

namespace wirewatch::rules {

enum class Severity { info, low, medium, high, critical };
std::string_view severity_name(Severity s);

struct Hit {
  std::string term;  // as written in the query
  Field field;
  std::size_t offset;  // code points into the field's text
  std::size_t length;  // code points
};

struct Match {
  std::string rule_id;
  std::string topic;
  Severity severity;
  std::vector<std::string> matched;  // distinct terms that hit, as written, in query order
  std::vector<Hit> hits;             // title hits first, then body, each by offset
  std::string snippet;               // the sentence around the first hit, ≤ 300 code points
};

struct RuleInfo {
  std::string id;
  std::string query;
  std::string topic;
  Severity severity = Severity::medium;
  std::string description;
  SourceLocation where;  // the rule's `id:` key
};

class RuleSet {
 public:
  class Impl;
  explicit RuleSet(std::unique_ptr<Impl> impl);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  std::size_t size() const;
  const std::vector<RuleInfo>& rules() const;
  // Every rule that matches, in rule order (file order, files sorted by name).
  std::vector<Match> match(const Document& doc) const;

 private:
  std::unique_ptr<Impl> impl_;
};

struct LoadResult {
  std::shared_ptr<const RuleSet> rules;  // null when any error was found
  Diagnostics diagnostics;               // every error and warning of every file
  bool ok() const { return rules != nullptr; }
};

// Loads each path: a YAML file, or a directory whose `*.yaml` files are read in
// name order. Rule ids are unique across all files.
LoadResult load_rules(const std::vector<std::filesystem::path>& paths);
// One document held in memory (tests and tools); `file` names it in diagnostics.
LoadResult load_rules_from_string(const std::string& file, const std::string& text);

}  // namespace wirewatch::rules
