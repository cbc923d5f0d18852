#include "wirewatch/daemon/config.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "wirewatch/common/units.hpp"
#include "wirewatch/common/yaml.hpp"
#include "wirewatch/daemon/metrics_server.hpp"

namespace wirewatch::daemon {
namespace {

bool is_source_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  auto first = id.front();
  if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

class ConfigReader {
 public:
  ConfigReader(const YamlDocument& doc, std::filesystem::path base, Diagnostics& diags)
      : doc_ptr_(&doc), base_(std::move(base)), diags_(diags) {}

  std::optional<Config> read() {
    Config config;
    const auto& root = doc().root();
    if (!root.IsMap()) {
      doc().error(diags_, root.IsNull() ? SourceLocation{doc().file(), 1, 1} : doc().location(root),
                  "the config must be a mapping of keys (state_dir, rules, publish, sources, log)");
      return std::nullopt;
    }
    doc().check_keys(root,
                     {"state_dir", "rules", "publish", "sources", "sources_dir", "http", "log", "metrics",
                      "retention", "limits", "near_duplicates"},
                     "config", diags_);

    if (auto n = required(root, "state_dir")) {
      if (auto p = path(n, "state_dir")) config.state_dir = *p;
    }
    if (auto n = required(root, "rules")) read_rules(n, config);
    if (auto n = required(root, "publish")) read_publish(n, config);
    if (auto n = root["sources"]) read_sources(n, config);
    if (auto n = root["sources_dir"]) read_sources_dir(n, config);
    if (auto n = root["http"]) read_http(n, config);
    if (auto n = root["limits"]) read_limits(n, config);
    if (auto n = root["near_duplicates"]) read_near_duplicates(n, config);
    if (auto n = root["retention"]) {
      if (auto d = duration(n, "retention")) config.retention = *d;
    }
    if (auto n = root["log"]) read_log(n, config);
    if (auto n = root["metrics"]) read_metrics(n, config);
    if (diags_.has_errors()) return std::nullopt;
    return config;
  }

 private:
  YAML::Node required(const YAML::Node& map, const char* key, const char* where = "config") {
    auto n = map[key];
    if (!n || n.IsNull()) {
      doc().error(diags_, n ? n : map, std::string("missing required key `") + key + "` in " + where);
      return YAML::Node(YAML::NodeType::Undefined);
    }
    return n;
  }

  std::optional<std::filesystem::path> path(const YAML::Node& n, const char* key) {
    auto s = doc().scalar(n, key, diags_);
    if (!s) return std::nullopt;
    if (s->empty()) {
      doc().error(diags_, n, std::string("`") + key + "` must not be empty");
      return std::nullopt;
    }
    std::filesystem::path p(*s);
    return (p.is_absolute() ? p : base_ / p).lexically_normal();
  }

  void read_rules(const YAML::Node& n, Config& config) {
    if (n.IsSequence()) {
      for (const auto& item : n)
        if (auto p = path(item, "rules")) config.rules.push_back(*p);
      if (n.size() == 0) doc().error(diags_, n, "`rules` lists no path");
    } else if (auto p = path(n, "rules")) {
      config.rules.push_back(*p);
    }
  }

  // A string or a list of endpoints, each checked.
  std::vector<std::string> endpoints(const YAML::Node& node, const char* key) {
    std::vector<YAML::Node> items;
    if (node.IsSequence()) {
      for (const auto& item : node) items.push_back(item);
      if (items.empty()) doc().error(diags_, node, std::string("`") + key + "` lists no endpoint");
    } else {
      items.push_back(node);
    }
    static const std::regex kEndpoint(R"(^(tcp://[^\s]+:(\d+|\*)|ipc://[^\s]+|inproc://[^\s]+)$)");
    std::vector<std::string> out;
    for (const auto& item : items) {
      auto s = doc().scalar(item, key, diags_);
      if (!s) continue;
      if (!std::regex_match(*s, kEndpoint)) {
        doc().error(diags_, item,
                    "invalid endpoint `" + *s + "` (expected tcp://HOST:PORT, tcp://HOST:* or ipc://PATH)");
        continue;
      }
      out.push_back(*s);
    }
    return out;
  }

  std::optional<bool> boolean(const YAML::Node& n, const char* key) {
    auto s = doc().scalar(n, key, diags_);
    if (!s) return std::nullopt;
    if (*s == "true") return true;
    if (*s == "false") return false;
    doc().error(diags_, n, std::string("`") + key + "` must be true or false");
    return std::nullopt;
  }

  std::optional<long long> integer(const YAML::Node& n, const char* key, long long min, long long max) {
    auto s = doc().scalar(n, key, diags_);
    if (!s) return std::nullopt;
    try {
      std::size_t used = 0;
      long long v = std::stoll(*s, &used);
      if (used == s->size() && v >= min && v <= max) return v;
    } catch (const std::exception&) {
    }
    doc().error(diags_, n,
                std::string("`") + key + "` must be an integer from " + std::to_string(min) + " to " +
                    std::to_string(max));
    return std::nullopt;
  }

  void read_publish(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`publish` must be a mapping (endpoint, replay, sndhwm, records, curve)");
      return;
    }
    doc().check_keys(n, {"endpoint", "replay", "sndhwm", "records", "curve"}, "publish", diags_);
    if (auto ep = required(n, "endpoint", "publish")) {
      config.publish.endpoints = endpoints(ep, "publish.endpoint");
    }
    if (auto r = n["replay"]) config.publish.replay = endpoints(r, "publish.replay");
    if (auto h = n["sndhwm"]) {
      if (auto v = integer(h, "publish.sndhwm", 1, 10'000'000)) config.publish.sndhwm = static_cast<int>(*v);
    }
    if (auto r = n["records"]) {
      if (auto v = boolean(r, "publish.records")) config.publish.records = *v;
    }
    if (auto c = n["curve"]) read_curve(c, config);
  }

  void read_curve(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`publish.curve` must be a mapping (secret_key_file, allow)");
      return;
    }
    doc().check_keys(n, {"secret_key_file", "allow"}, "publish.curve", diags_);
    CurveServerKeys keys;
    if (auto f = required(n, "secret_key_file", "publish.curve")) {
      if (auto p = path(f, "secret_key_file")) {
        std::string error;
        if (auto key = read_curve_key(*p, &error))
          keys.secret_z85 = *key;
        else
          doc().error(diags_, f, error);
      }
    }
    if (auto allow = required(n, "allow", "publish.curve")) {
      if (!allow.IsSequence()) {
        doc().error(diags_, allow, "`publish.curve.allow` must be a list of client public keys");
      } else {
        for (const auto& k : allow) {
          auto v = doc().scalar(k, "publish.curve.allow", diags_);
          if (v && !is_z85_key(*v)) {
            doc().error(diags_, k, "not a Z85 CURVE public key (40 characters): `" + *v + "`");
          } else if (v) {
            keys.allowed_clients.insert(*v);
          }
        }
      }
    }
    config.publish.curve = std::move(keys);
  }

  std::optional<std::chrono::milliseconds> duration(const YAML::Node& n, const char* key) {
    auto v = doc().scalar(n, key, diags_);
    if (!v) return std::nullopt;
    auto d = parse_duration(*v);
    if (!d || d->count() == 0) {
      doc().error(diags_, n,
                  std::string("`") + key + "` must be a duration with a unit, e.g. 30s, 5m, 6h, 30d");
      return std::nullopt;
    }
    return d;
  }

  std::optional<std::uint64_t> size(const YAML::Node& n, const char* key) {
    auto v = doc().scalar(n, key, diags_);
    if (!v) return std::nullopt;
    auto b = parse_size(*v);
    if (!b) {
      doc().error(diags_, n,
                  std::string("`") + key + "` must be a size with a unit, e.g. 100B, 64KiB, 10MiB");
      return std::nullopt;
    }
    return b;
  }

  void read_sources(const YAML::Node& n, Config& config) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) {
      doc().error(diags_, n, "`sources` must be a list");
      return;
    }
    for (const auto& s : n) {
      if (!s.IsMap()) {
        doc().error(diags_, s, "a source must be a mapping (id, type, ...)");
        continue;
      }
      SourceConfig source;
      source.where = doc().location(s);
      if (auto id = required(s, "id", "source")) {
        if (auto v = doc().scalar(id, "id", diags_)) {
          if (!is_source_id(*v)) {
            doc().error(diags_, id, "invalid source id `" + *v + "` (expected [a-z0-9][a-z0-9_-]*)");
          } else if (!source_ids_.insert(*v).second) {
            doc().error(diags_, id, "duplicate source id `" + *v + "`");
          }
          source.id = *v;
        }
      }
      auto type = required(s, "type", "source");
      if (!type) continue;
      auto kind = doc().scalar(type, "type", diags_);
      if (!kind) continue;
      if (*kind == "directory") {
        source.type = SourceConfig::Type::directory;
        doc().check_keys(s, {"id", "type", "path"}, "directory source", diags_);
        if (auto p = required(s, "path", "source")) {
          if (auto v = path(p, "path")) source.path = *v;
        }
      } else if (*kind == "feed") {
        source.type = SourceConfig::Type::feed;
        doc().check_keys(s, {"id", "type", "url", "interval", "articles"}, "feed source", diags_);
        if (auto u = required(s, "url", "source")) {
          auto v = doc().scalar(u, "url", diags_);
          if (v && !(v->starts_with("http://") || v->starts_with("https://"))) {
            doc().error(diags_, u, "a feed `url` must start with http:// or https://");
          } else if (v) {
            source.url = *v;
          }
        }
        if (auto i = s["interval"]) {
          if (auto d = duration(i, "interval")) source.interval = *d;
        }
        if (auto a = s["articles"]) {
          if (auto b = boolean(a, "articles")) source.articles = *b;
        }
      } else {
        doc().error(diags_, type, "unknown source type `" + *kind + "` (expected: directory, feed)");
        continue;
      }
      config.sources.push_back(std::move(source));
    }
  }

  // Every *.yaml in the folder holds a `sources:` list, read in name order.
  void read_sources_dir(const YAML::Node& n, Config& config) {
    auto dir = path(n, "sources_dir");
    if (!dir) return;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(*dir, ec), end; !ec && it != end; it.increment(ec)) {
      auto name = it->path().filename().string();
      if (name.ends_with(".yaml") && !name.starts_with(".")) files.push_back(it->path());
    }
    if (ec) {
      doc().error(diags_, n, "cannot read `sources_dir` " + dir->string() + ": " + ec.message());
      return;
    }
    std::sort(files.begin(), files.end());
    auto* saved_doc = doc_ptr_;
    auto saved_base = base_;
    for (const auto& f : files) {
      auto sub = load_yaml_file(f, diags_);
      if (!sub) continue;
      doc_ptr_ = &*sub;
      base_ = f.parent_path();
      const auto& root = sub->root();
      if (root.IsNull()) {
        // an empty file (or only comments): no sources
      } else if (!root.IsMap()) {
        doc().error(diags_, root, "expected a mapping with a `sources` list");
      } else {
        doc().check_keys(root, {"sources"}, "sources file", diags_);
        if (auto list = root["sources"]) read_sources(list, config);
      }
      doc_ptr_ = saved_doc;
      base_ = saved_base;
    }
  }

  void read_http(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`http` must be a mapping");
      return;
    }
    doc().check_keys(
        n,
        {"user_agent", "max_connections", "max_per_host", "connect_timeout", "timeout", "low_speed",
         "max_body", "max_backoff", "min_retry", "proxy", "ca_file", "allow_private_networks", "allow"},
        "http", diags_);
    auto& h = config.http;
    if (auto v = n["user_agent"]) {
      if (auto s = doc().scalar(v, "http.user_agent", diags_)) h.user_agent = *s;
    }
    if (auto v = n["max_connections"]) {
      if (auto i = integer(v, "http.max_connections", 1, 100'000)) h.max_connections = static_cast<int>(*i);
    }
    if (auto v = n["max_per_host"]) {
      if (auto i = integer(v, "http.max_per_host", 1, 1000)) h.max_per_host = static_cast<int>(*i);
    }
    if (auto v = n["connect_timeout"]) {
      if (auto d = duration(v, "http.connect_timeout")) h.connect_timeout = *d;
    }
    if (auto v = n["timeout"]) {
      if (auto d = duration(v, "http.timeout")) h.timeout = *d;
    }
    if (auto v = n["max_backoff"]) {
      if (auto d = duration(v, "http.max_backoff")) h.max_backoff = *d;
    }
    if (auto v = n["min_retry"]) {
      if (auto d = duration(v, "http.min_retry")) h.min_retry = *d;
    }
    if (auto v = n["max_body"]) {
      if (auto b = size(v, "http.max_body")) h.max_body = *b;
    }
    if (auto v = n["proxy"]) {
      if (auto s = doc().scalar(v, "http.proxy", diags_)) h.proxy = *s;
    }
    if (auto v = n["allow_private_networks"]) {
      if (auto b = boolean(v, "http.allow_private_networks")) h.address_policy.allow_private_networks = *b;
    }
    if (auto v = n["allow"]) read_allow(v, h);
    if (auto v = n["ca_file"]) {
      // Checked here: libcurl would only say so on every fetch.
      if (auto p = path(v, "http.ca_file")) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(*p, ec))
          doc().error(diags_, v, "`http.ca_file`: no such file: " + p->string());
        else
          h.ca_file = p->string();
      }
    }
    if (auto v = n["low_speed"]) {
      if (!v.IsMap()) {
        doc().error(diags_, v, "`http.low_speed` must be a mapping (limit, time)");
      } else {
        doc().check_keys(v, {"limit", "time"}, "http.low_speed", diags_);
        if (auto l = v["limit"]) {
          if (auto b = size(l, "http.low_speed.limit")) h.low_speed_limit = *b;
        }
        if (auto t = v["time"]) {
          if (auto d = duration(t, "http.low_speed.time")) h.low_speed_time = *d;
        }
      }
    }
  }

  // http.allow: CIDRs the SSRF guard lets through, each checked where it is written.
  void read_allow(const YAML::Node& n, connectors::HttpOptions& h) {
    if (!n.IsSequence()) {
      doc().error(diags_, n, "`http.allow` must be a list of CIDRs, e.g. [10.1.0.0/16, fd00::/8]");
      return;
    }
    for (const auto& item : n) {
      auto v = doc().scalar(item, "http.allow", diags_);
      if (!v) continue;
      std::string why;
      if (auto cidr = connectors::parse_cidr(*v, &why))
        h.address_policy.allow.push_back(std::move(*cidr));
      else
        doc().error(diags_, item, "invalid CIDR in `http.allow`: " + why);
    }
  }

  void read_limits(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`limits` must be a mapping");
      return;
    }
    doc().check_keys(n,
                     {"max_items_per_feed", "max_record_bytes", "max_paragraphs", "max_rules",
                      "max_query_length", "max_query_depth", "max_yaml_bytes", "max_yaml_depth"},
                     "limits", diags_);
    auto& l = config.limits;
    auto count = [&](const char* key, std::size_t& out, long long max) {
      if (auto v = n[key]) {
        if (auto i = integer(v, (std::string("limits.") + key).c_str(), 1, max))
          out = static_cast<std::size_t>(*i);
      }
    };
    auto bytes = [&](const char* key, std::size_t& out) {
      if (auto v = n[key]) {
        if (auto b = size(v, (std::string("limits.") + key).c_str())) {
          if (*b == 0)
            doc().error(diags_, v, std::string("`limits.") + key + "` must be more than 0");
          else
            out = static_cast<std::size_t>(*b);
        }
      }
    };
    count("max_items_per_feed", l.max_items_per_feed, 10'000'000);
    bytes("max_record_bytes", l.max_record_bytes);
    count("max_paragraphs", l.max_paragraphs, 10'000'000);
    count("max_rules", l.max_rules, 10'000'000);
    bytes("max_query_length", l.max_query_length);
    count("max_query_depth", l.max_query_depth, 100'000);
    bytes("max_yaml_bytes", l.max_yaml_bytes);
    count("max_yaml_depth", l.max_yaml_depth, 100'000);
  }

  void read_near_duplicates(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`near_duplicates` must be a mapping (max_records)");
      return;
    }
    doc().check_keys(n, {"max_records"}, "near_duplicates", diags_);
    // Below 2^32 table slots per generation: 10 million records is about 13 GB.
    if (auto v = n["max_records"]) {
      if (auto i = integer(v, "near_duplicates.max_records", 0, 10'000'000))
        config.near_duplicates.max_records = static_cast<std::size_t>(*i);
    }
  }

  void read_metrics(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`metrics` must be a mapping (listen)");
      return;
    }
    doc().check_keys(n, {"listen"}, "metrics", diags_);
    if (auto l = required(n, "listen", "metrics")) {
      auto v = doc().scalar(l, "metrics.listen", diags_);
      if (v && !parse_listen_address(*v)) {
        doc().error(diags_, l,
                    "invalid `metrics.listen` `" + *v + "` (expected HOST:PORT, e.g. 127.0.0.1:9464)");
      } else if (v) {
        config.metrics.listen = *v;
      }
    }
  }

  void read_log(const YAML::Node& n, Config& config) {
    if (!n.IsMap()) {
      doc().error(diags_, n, "`log` must be a mapping (level, repeat_window)");
      return;
    }
    doc().check_keys(n, {"level", "repeat_window"}, "log", diags_);
    if (auto w = n["repeat_window"]) {
      if (auto d = duration(w, "log.repeat_window")) config.log_repeat_window = *d;
    }
    if (auto level = n["level"]) {
      auto v = doc().scalar(level, "log.level", diags_);
      if (!v) return;
      static const std::pair<const char*, spdlog::level::level_enum> kLevels[] = {
          {"trace", spdlog::level::trace},
          {"debug", spdlog::level::debug},
          {"info", spdlog::level::info},
          {"warn", spdlog::level::warn},
          {"error", spdlog::level::err}};
      for (auto [name, lvl] : kLevels) {
        if (*v == name) {
          config.log_level = lvl;
          return;
        }
      }
      doc().error(diags_, level,
                  "unknown log level `" + *v + "` (expected trace, debug, info, warn or error)");
    }
  }

  // The document being read: the config file, or a file of sources_dir.
  const YamlDocument* doc_ptr_;
  const YamlDocument& doc() const { return *doc_ptr_; }
  std::filesystem::path base_;
  Diagnostics& diags_;
  std::set<std::string> source_ids_;
};

ConfigResult read(const std::filesystem::path& file, std::optional<YamlDocument> doc, Diagnostics diags) {
  ConfigResult result;
  if (doc) {
    auto base = std::filesystem::absolute(file).parent_path();
    auto config = ConfigReader(*doc, base, diags).read();
    if (config) {
      config->file = std::filesystem::absolute(file).lexically_normal();
      result.config = std::move(config);
    }
  }
  result.diagnostics = std::move(diags);
  return result;
}

}  // namespace

rules::RuleLimits rule_limits(const LimitsConfig& l) {
  rules::RuleLimits r;
  r.max_rules = l.max_rules;
  r.query.max_length = l.max_query_length;
  r.query.max_depth = l.max_query_depth;
  r.yaml.max_bytes = l.max_yaml_bytes;
  r.yaml.max_depth = l.max_yaml_depth;
  return r;
}

ConfigResult load_config(const std::filesystem::path& file) {
  Diagnostics diags;
  auto doc = load_yaml_file(file, diags);
  return read(file, std::move(doc), std::move(diags));
}

ConfigResult parse_config(const std::filesystem::path& file, const std::string& text) {
  Diagnostics diags;
  auto doc = parse_yaml(file.string(), text, diags);
  return read(file, std::move(doc), std::move(diags));
}

}  // namespace wirewatch::daemon
