#pragma once
// Rule files are loaded in phases (read YAML → collect lists, ids and every
// problem of every file → compile) into an immutable RuleSet that threads share
// through a shared_ptr<const RuleSet>.
//
// Compiling extracts from each query the terms that must occur for it to match
// (a conjunction of disjunctions: `Wagner AND (instructor* OR trainers)` needs
// `wagner` and one of `instructor*`, `trainers`) and indexes each rule under one
// of those clauses. A record is tokenized and folded once; the rules reached
// through its terms whose every clause is satisfied are the candidates, and only
// they are evaluated in full.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wirewatch/common/diagnostic.hpp"
#include "wirewatch/common/yaml.hpp"
#include "wirewatch/rules/document.hpp"
#include "wirewatch/rules/query.hpp"

namespace wirewatch::rules {

enum class Severity { info, low, medium, high, critical };
std::string_view severity_name(Severity s);

struct Hit {
  std::string term;  // as written in the query (with its field prefix, if any)
  Field field;
  std::size_t offset;  // code points into the field's text
  std::size_t length;  // code points
};

struct Match {
  std::string rule_id;
  std::string topic;
  Severity severity;
  std::vector<std::string> matched;  // distinct terms that hit, as written, in query order
  std::vector<Hit> hits;             // by field (title, body, url, author), then by offset
  std::string snippet;               // the sentence around the first title/body hit, ≤ 300 code points
};

// `throttle: 20/1h`: at most `count` alerts per `window`; the daemon enforces it.
struct Throttle {
  std::uint32_t count = 0;
  std::chrono::milliseconds window{0};
  std::string written;  // "20/1h"
};

// One inline test record of a rule (`tests: {match: [...], no_match: [...]}`).
struct RuleTestCase {
  DocumentFields record;
  SourceLocation where;
};

struct RuleTests {
  std::vector<RuleTestCase> match;
  std::vector<RuleTestCase> no_match;
};

struct RuleInfo {
  std::string id;
  std::string query;
  std::string topic;  // default alerts.<id>
  Severity severity = Severity::medium;
  std::string description;
  std::vector<std::string> tags;
  bool enabled = true;               // a disabled rule is loaded and checked, and never matches
  std::vector<std::string> sources;  // when not empty: only records of these source ids
  std::optional<Throttle> throttle;
  RuleTests tests;
  SourceLocation where;        // the rule's `id:` key
  SourceLocation query_where;  // the query's first character
};

// A rule given in code rather than in a file (tools, benchmarks).
struct RuleDefinition {
  std::string id;
  std::string query;
  std::string topic;  // empty: alerts.<id>
  Severity severity = Severity::medium;
  std::string description;
  std::vector<std::string> tags;
  bool enabled = true;
  std::vector<std::string> sources;
  std::optional<Throttle> throttle;
};

// Counters of one match() call.
struct MatchStats {
  std::size_t reached = 0;     // rules reached through the index (their indexed clause occurs)
  std::size_t candidates = 0;  // of those, rules whose every required clause occurs: evaluated
  std::size_t matched = 0;
};

// Why a rule matched or not (`wirewatch match --explain`).
struct Explanation {
  struct Line {
    int depth = 0;
    std::string node;    // the query part, as written
    bool value = false;  // whether it holds for the record
    std::string detail;  // e.g. "2 hits: title 33+6 `Wagner`, body 120+6 `wagner`"
  };
  std::string rule_id;
  bool enabled = true;
  bool source_ok = true;   // the rule's `sources:` admits the record's source
  bool candidate = false;  // every required clause occurs, so the matcher evaluates it
  bool matched = false;
  std::vector<std::string> missing;  // required clauses of which no term occurs
  std::vector<Line> lines;
};

struct RuleTestResult {
  struct Failure {
    bool expected_match = true;
    SourceLocation where;
    std::string message;  // messages::test_expected_match() / test_expected_no_match()
  };
  std::string rule_id;
  bool enabled = true;
  std::size_t cases = 0;
  std::vector<Failure> failures;
  bool ok() const { return failures.empty(); }
};

// Sizes of a compiled set, for benchmarks and metrics.
struct RuleSetStats {
  std::size_t rules = 0;
  std::size_t terms = 0;
  std::size_t atoms = 0;     // distinct words, prefixes and metadata values indexed
  std::size_t postings = 0;  // index entries
  std::size_t bytes = 0;     // approximate memory held by the compiled set
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
  std::optional<std::size_t> find(std::string_view rule_id) const;

  // Every enabled rule that matches, in rule order (file order, files sorted by name).
  std::vector<Match> match(const Document& doc) const;
  std::vector<Match> match(const Document& doc, MatchStats& stats) const;

  // One rule by index, ignoring `enabled` and — when `apply_sources` is false —
  // `sources:` (inline tests and tools).
  struct RuleMatchOptions {
    bool apply_sources = true;
  };
  std::optional<Match> match_rule(std::size_t index, const Document& doc, RuleMatchOptions options) const;

  // Explains the given rules (every rule when `rule_ids` is empty).
  std::vector<Explanation> explain(const Document& doc, const std::vector<std::string>& rule_ids = {}) const;

  // Runs every rule's inline tests; `sources:` applies only to test records that
  // name a source.
  std::vector<RuleTestResult> run_tests() const;

  RuleSetStats stats() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// Hard limits on rule files (limits.* of the config); a file or rule set past
// one is refused with a located error, and the limit is named in `limits_tripped`.
struct RuleLimits {
  std::size_t max_rules = 200'000;  // across all files (~550 B each compiled)
  QueryLimits query;
  YamlLimits yaml;
};

struct LoadResult {
  std::shared_ptr<const RuleSet> rules;  // null when any error was found
  Diagnostics diagnostics;               // every error and warning of every file
  // Limits that refused something: "max_rules", "max_query_length", "max_query_depth",
  // "max_yaml_bytes", "max_yaml_depth".
  std::vector<std::string> limits_tripped;
  bool ok() const { return rules != nullptr; }
};

// Loads each path: a YAML file, or a directory whose `*.yaml` files are read in
// name order. Rule ids and list names are unique across all files; a list may be
// used in any file.
LoadResult load_rules(const std::vector<std::filesystem::path>& paths, const RuleLimits& limits = {});
// One document held in memory (tests and tools); `file` names it in diagnostics.
LoadResult load_rules_from_string(const std::string& file, const std::string& text);
// Rules given in code. Diagnostics name `<rules>` as the file, the rule's index
// (from 1) as the line and the column in its query.
LoadResult compile_rules(const std::vector<RuleDefinition>& rules,
                         const std::map<std::string, std::vector<std::string>, std::less<>>& lists = {},
                         const RuleLimits& limits = {});

}  // namespace wirewatch::rules
