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

struct Config {
  std::filesystem::path file;       // the config file itself
  std::filesystem::path state_dir;  // database, stored records, endpoints.json
  std::vector<std::filesystem::path> rules;
  PublishConfig publish;
  std::vector<SourceConfig> sources;
  MetricsConfig metrics;
  connectors::HttpOptions http;
  std::optional<std::chrono::milliseconds> retention;  // prune records older than this
  spdlog::level::level_enum log_level = spdlog::level::info;
};

struct ConfigResult {
  std::optional<Config> config;  // empty when any error was found
  Diagnostics diagnostics;
};

ConfigResult load_config(const std::filesystem::path& file);
ConfigResult parse_config(const std::filesystem::path& file, const std::string& text);

}  // namespace wirewatch::daemon
