#pragma once
// wirewatchd's configuration: a YAML file read into plain values. Relative
// paths resolve against the config file's folder; every error carries
// file:line:col and all of them are reported at once.

#include <spdlog/common.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "wirewatch/common/diagnostic.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"
#include "wirewatch/daemon/curve.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::daemon {

struct SourceConfig {
  enum class Type { directory, feed };
  std::string id;  // [a-z0-9][a-z0-9_-]*
  Type type = Type::directory;
  std::filesystem::path path;  // directory sources
  std::string url;             // feed sources
  std::chrono::milliseconds interval{5 * 60 * 1000};
  bool articles = false;  // fetch each new item's page and extract the article
  SourceLocation where;
};

struct PublishConfig {
  std::vector<std::string> endpoints;  // alerts (and heartbeats, records) go out here
  std::vector<std::string> replay;     // ROUTER endpoints answering replay requests
  int sndhwm = 10'000;
  bool records = false;  // also publish every stored record on `records.<source id>`
  std::optional<CurveServerKeys> curve;
};

struct MetricsConfig {
  std::string listen;  // HOST:PORT for /metrics, /-/healthy, /-/ready; empty: off
};

// `limits:` — hard caps on what untrusted input may cost; each trip is counted
// in wirewatch_limits_tripped_total{limit=...}.
struct LimitsConfig {
  std::size_t max_items_per_feed = 1000;          // items of one feed body; the rest are dropped
  std::size_t max_record_bytes = 1024 * 1024;     // a record's text; cut at a paragraph boundary
  std::size_t max_paragraphs = 2000;              // a record's paragraphs; the rest are dropped
  std::size_t max_rules = 200'000;                // rules loaded from all rule files
  std::size_t max_query_length = 64 * 1024;       // bytes of one query
  std::size_t max_query_depth = 100;              // nesting of parentheses and operators
  std::size_t max_yaml_bytes = 16 * 1024 * 1024;  // a YAML file (config, sources, rules)
  std::size_t max_yaml_depth = 64;                // nesting of YAML mappings and lists
};

// `near_duplicates:` — syndicated copies are recognised against the fingerprints
// of the most recent first copies only, so the index's memory is bounded
// (about 0.65 KB per fingerprint; docs/configuration.md).
struct NearDuplicatesConfig {
  std::size_t max_records = 50'000;  // 0: near-duplicate detection off
};

struct Config {
  std::filesystem::path file;       // the config file itself
  std::filesystem::path state_dir;  // database, stored records, endpoints.json
  std::vector<std::filesystem::path> rules;
  PublishConfig publish;
  std::vector<SourceConfig> sources;
  MetricsConfig metrics;
  connectors::HttpOptions http;
  LimitsConfig limits;
  NearDuplicatesConfig near_duplicates;
  std::optional<std::chrono::milliseconds> retention;  // prune records older than this
  spdlog::level::level_enum log_level = spdlog::level::info;
  // An error that repeats (same source, same kind) is logged once per window;
  // the repeats are counted and summed up when the window has passed.
  std::chrono::milliseconds log_repeat_window{5 * 60 * 1000};
};

struct ConfigResult {
  std::optional<Config> config;  // empty when any error was found
  Diagnostics diagnostics;
};

ConfigResult load_config(const std::filesystem::path& file);

// The limits.* that bound rule files, for rules::load_rules().
rules::RuleLimits rule_limits(const LimitsConfig& limits);
ConfigResult parse_config(const std::filesystem::path& file, const std::string& text);

}  // namespace wirewatch::daemon
