// wirewatch parse-feed | feeds import
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "wirewatch/common/time.hpp"
#include "wirewatch/connectors/feed_parser.hpp"
#include "wirewatch/connectors/opml.hpp"
#include "wirewatch/daemon/config.hpp"
#include "wirewatch/daemon/daemon.hpp"
#include "wirewatch/daemon/store.hpp"

namespace wirewatch::cli {
namespace {

using daemon::kExitFailure;
using daemon::kExitOk;
using daemon::kExitUsage;
using nlohmann::ordered_json;

constexpr std::size_t kMaxInputBytes = 256u * 1024 * 1024;

// The whole file, or standard input for "-"; nullopt (with a reason) on failure.
std::optional<std::string> read_input(const std::string& file, std::string& reason) {
  std::ostringstream buf;
  if (file == "-") {
    std::ios::sync_with_stdio(false);
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      reason = "cannot open " + file;
      return std::nullopt;
    }
    buf << in.rdbuf();
    if (in.bad()) {
      reason = "cannot read " + file;
      return std::nullopt;
    }
  }
  std::string bytes = std::move(buf).str();
  if (bytes.size() > kMaxInputBytes) {
    reason = file + " is larger than 256 MiB";
    return std::nullopt;
  }
  return bytes;
}

void put(ordered_json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void put(ordered_json& j, const char* key, const std::optional<TimePoint>& t) {
  if (t) j[key] = format_utc(*t);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// The parse-feed output: one JSON object (see docs/feeds.md).
ordered_json feed_json(const connectors::ParsedFeed& parsed) {
  ordered_json j;
  j["format"] = std::string(connectors::format_name(parsed.format));
  ordered_json feed = ordered_json::object();
  put(feed, "title", parsed.feed.title);
  put(feed, "link", parsed.feed.link);
  put(feed, "description", parsed.feed.description);
  put(feed, "language", parsed.feed.language);
  put(feed, "updated", parsed.feed.updated);
  j["feed"] = std::move(feed);
  ordered_json entries = ordered_json::array();
  for (const auto& e : parsed.entries) {
    ordered_json entry = ordered_json::object();
    put(entry, "id", e.guid);
    put(entry, "title", e.title);
    put(entry, "link", e.link);
    put(entry, "published", e.published);
    put(entry, "updated", e.updated);
    put(entry, "summary", e.summary);
    put(entry, "content", e.content);
    put(entry, "author", join(e.authors, ", "));
    if (!e.categories.empty()) entry["categories"] = e.categories;
    entries.push_back(std::move(entry));
  }
  j["entries"] = std::move(entries);
  j["bozo"] = parsed.bozo;
  if (parsed.bozo) j["error"] = parsed.error;
  return j;
}

struct ParseFeedArgs {
  std::string url, charset, content_type, file;
  bool pretty = false;
};

int parse_feed_command(const ParseFeedArgs& args) {
  std::string reason;
  auto bytes = read_input(args.file, reason);
  if (!bytes) {
    std::cerr << "wirewatch parse-feed: " << reason << '\n';
    return kExitFailure;
  }
  connectors::FeedParseOptions options;
  options.base_url = args.url;
  options.http_charset = args.charset;
  options.content_type = args.content_type;
  const auto parsed = connectors::parse_feed(*bytes, options);
  if (!parsed.ok()) {
    std::cerr << "wirewatch parse-feed: " << (args.file == "-" ? "<stdin>" : args.file) << ": "
              << parsed.error << '\n';
    return kExitFailure;
  }
  const auto j = feed_json(parsed);
  std::cout << j.dump(args.pretty ? 2 : -1, ' ', false, ordered_json::error_handler_t::replace) << '\n';
  std::cout.flush();
  return kExitOk;
}

struct ImportArgs {
  std::string file, id_prefix;
};

bool valid_prefix(const std::string& p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
    if (!ok) return false;
  }
  return true;
}

int import_command(const ImportArgs& args) {
  if (!valid_prefix(args.id_prefix)) {
    std::cerr << "wirewatch feeds import: invalid --id-prefix `" << args.id_prefix
              << "` (expected [a-z0-9][a-z0-9_-]*)\n";
    return kExitUsage;
  }
  std::string reason;
  auto bytes = read_input(args.file, reason);
  if (!bytes) {
    std::cerr << "wirewatch feeds import: " << reason << '\n';
    return kExitFailure;
  }
  const auto opml = connectors::parse_opml(*bytes);
  if (!opml.ok()) {
    std::cerr << "wirewatch feeds import: " << args.file << ": " << opml.error << '\n';
    return kExitFailure;
  }
  std::cout << connectors::sources_yaml(opml.feeds, args.id_prefix);
  std::cout.flush();
  std::cerr << opml.feeds.size() << " feed(s) from " << args.file << '\n';
  return kExitOk;
}

std::string time_or_dash(const std::optional<TimePoint>& t) { return t ? format_utc(*t) : "-"; }

// The feed status table from the state database of the install `config_file` describes.
int feed_status_command(const std::string& config_file) {
  auto loaded = daemon::load_config(config_file);
  std::cerr << loaded.diagnostics.render();
  if (!loaded.config) return daemon::kExitConfig;
  const auto db = loaded.config->state_dir / "wirewatch.db";
  if (!std::filesystem::exists(db)) {
    std::cerr << "wirewatch feeds: no state database at " << db.string() << " (never started?)\n";
    return daemon::kExitFailure;
  }
  daemon::Store store(db);
  std::map<std::string, connectors::FeedState> states;
  for (auto& [id, st] : store.feed_states()) states[id] = st;
  std::printf("%-20s %-6s %-20s %-20s %5s %8s %-8s %s\n", "ID", "STATUS", "LAST SUCCESS", "NEXT POLL",
              "FAILS", "ITEMS", "BOZO", "URL / LAST ERROR");
  for (const auto& sc : loaded.config->sources) {
    if (sc.type != daemon::SourceConfig::Type::feed) continue;
    auto it = states.find(sc.id);
    if (it == states.end()) {
      std::printf("%-20s %-6s %-20s %-20s %5s %8s %-8s %s\n", sc.id.c_str(), "-", "-", "-", "-", "-", "-",
                  (sc.url + "  (not polled yet)").c_str());
      continue;
    }
    const auto& f = it->second;
    std::string status = f.gone ? "gone" : f.last_status ? std::to_string(f.last_status) : "error";
    std::string tail = f.url;
    if (!f.last_error.empty()) tail += "  " + f.last_error;
    std::printf("%-20s %-6s %-20s %-20s %5d %8llu %-8s %s\n", sc.id.c_str(), status.c_str(),
                time_or_dash(f.last_success).c_str(), time_or_dash(f.next_poll).c_str(),
                f.consecutive_failures, static_cast<unsigned long long>(f.items_seen), f.bozo ? "yes" : "no",
                tail.c_str());
  }
  return daemon::kExitOk;
}

}  // namespace

void add_feed_commands(CLI::App& app, ExitCode& exit) {
  auto parse_args = std::make_shared<ParseFeedArgs>();
  auto* parse =
      app.add_subcommand("parse-feed", "parse an RSS, Atom, RDF, CDF or JSON feed; prints one JSON object");
  parse->add_option("FILE", parse_args->file, "feed file, or - for standard input")->required();
  parse->add_option("--url", parse_args->url, "the feed's URL: base for relative links");
  parse->add_option("--charset", parse_args->charset, "charset as an HTTP Content-Type would give it");
  parse->add_option("--content-type", parse_args->content_type, "Content-Type as HTTP would give it");
  parse->add_flag("--pretty", parse_args->pretty, "indent the JSON");
  parse->callback([&exit, parse_args] { exit.value = parse_feed_command(*parse_args); });

  // `feeds --config FILE` prints the status table; `feeds import` converts OPML.
  auto* feeds = app.add_subcommand("feeds", "feed status (--config FILE), or `feeds import`");
  auto status_config = std::make_shared<std::string>();
  feeds->add_option("--config", *status_config, "wirewatchd configuration: print its feeds' status");
  auto import_args = std::make_shared<ImportArgs>();
  auto* import = feeds->add_subcommand("import", "OPML → a `sources:` YAML list for sources_dir, on stdout");
  import->add_option("FILE", import_args->file, "OPML file, or - for standard input")->required();
  import->add_option("--id-prefix", import_args->id_prefix, "prefix of every source id, e.g. opml-");
  import->callback([&exit, import_args] { exit.value = import_command(*import_args);
});
feeds->require_subcommand(0, 1);
feeds->callback([&exit, status_config, feeds] {
  if (feeds->get_subcommands().empty()) {
    if (status_config->empty()) {
      std::cerr << "wirewatch feeds: give --config FILE, or use `feeds import`\n";
      exit.value = daemon::kExitUsage;
      return;
    }
    exit.value = feed_status_command(*status_config);
  }
});
}  // namespace wirewatch::cli

}  // namespace wirewatch::cli
