// wirewatch rules check | rules test | match (record files, or the stored records of an install)
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "wirewatch/common/time.hpp"
#include "wirewatch/common/units.hpp"
#include "wirewatch/daemon/alert.hpp"
#include "wirewatch/daemon/config.hpp"
#include "wirewatch/daemon/daemon.hpp"
#include "wirewatch/daemon/record_reader.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::cli {
namespace {

namespace fs = std::filesystem;
using daemon::kExitConfig;
using daemon::kExitFailure;
using daemon::kExitOk;

// Loads rules and prints their diagnostics to stderr.
rules::LoadResult load_rules_reporting(const std::vector<std::string>& paths, bool as_json) {
  std::vector<fs::path> p(paths.begin(), paths.end());
  auto result = rules::load_rules(p);
  if (as_json)
    std::cerr << result.diagnostics.to_json() << '\n';
  else
    std::cerr << result.diagnostics.render();
  return result;
}

int rules_check(const std::vector<std::string>& paths, const std::string& format) {
  auto result = load_rules_reporting(paths, format == "json");
  if (!result.ok()) return kExitConfig;
  if (format != "json") std::cerr << result.rules->size() << " rule(s) OK\n";
  return kExitOk;
}

// The text of a line of a file, for the caret under a failing test.
class SourceLines {
 public:
  std::string line(const std::string& file, int n) {
    auto it = files_.find(file);
    if (it == files_.end()) {
      std::vector<std::string> lines;
      std::ifstream in(file, std::ios::binary);
      for (std::string l; std::getline(in, l);) {
        if (!l.empty() && l.back() == '\r') l.pop_back();
        lines.push_back(std::move(l));
      }
      it = files_.emplace(file, std::move(lines)).first;
    }
    if (n < 1 || static_cast<std::size_t>(n) > it->second.size()) return {};
    return it->second[static_cast<std::size_t>(n - 1)];
  }

 private:
  std::map<std::string, std::vector<std::string>> files_;
};

int rules_test(const std::vector<std::string>& paths, const std::string& format) {
  const bool json = format == "json";
  auto loaded = load_rules_reporting(paths, json);
  if (!loaded.ok()) return kExitConfig;
  const auto results = loaded.rules->run_tests();
  std::size_t failed = 0;
  std::size_t without = loaded.rules->size() - results.size();
  SourceLines sources;
  auto report = nlohmann::json::array();
  for (const auto& r : results) {
    if (!r.ok()) ++failed;
    if (json) {
      auto failures = nlohmann::json::array();
      for (const auto& f : r.failures)
        failures.push_back({{"file", f.where.file},
                            {"line", f.where.line},
                            {"column", f.where.column},
                            {"expected", f.expected_match ? "match" : "no_match"},
                            {"message", f.message}});
      report.push_back({{"rule", r.rule_id},
                        {"enabled", r.enabled},
                        {"cases", r.cases},
                        {"passed", r.ok()},
                        {"failures", failures}});
      continue;
    }
    std::cout << (r.ok() ? "PASS " : "FAIL ") << r.rule_id << " (" << r.cases
              << (r.cases == 1 ? " case" : " cases");
    if (!r.ok()) std::cout << ", " << r.failures.size() << " failed";
    if (!r.enabled) std::cout << "; rule disabled";
    std::cout << ")\n";
    for (const auto& f : r.failures) {
      Diagnostic d{wirewatch::Severity::error, f.where, f.message, sources.line(f.where.file, f.where.line)};
      std::istringstream lines(d.render());
      for (std::string l; std::getline(lines, l);) std::cout << "  " << l << '\n';
    }
  }
  if (json) {
    std::cout << json_line(report) << '\n';
  } else {
    std::cout << results.size() << " rule(s) tested: " << results.size() - failed << " passed, " << failed
              << " failed";
    if (without) std::cout << "; " << without << " rule(s) without tests";
    std::cout << '\n';
  }
  std::cout.flush();
  return failed ? kExitFailure : kExitOk;
}

struct MatchArgs {
  std::vector<std::string> rules, files, explain_rules;
  bool explain = false;
  std::string url, author, source, lang;
  std::string since, config;  // back-test over the stored records of an install
};

// One match as a JSON line; `extra` adds fields about where the record came from.
void print_match(const rules::Match& m, const std::string& file, const std::string& id,
                 const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json line = {{"rule", m.rule_id},
                         {"topic", m.topic},
                         {"severity", std::string(rules::severity_name(m.severity))},
                         {"file", file},
                         {"record_id", id},
                         {"alert_id", daemon::alert_id(m.rule_id, id)},
                         {"matched", m.matched},
                         {"hits", daemon::hits_json(m)},
                         {"snippet", m.snippet}};
  line.update(extra);
  std::cout << json_line(line) << '\n';
}

// Every id given with --rule names a rule of the set.
bool explain_rules_exist(const MatchArgs& args, const rules::RuleSet& set) {
  for (const auto& id : args.explain_rules) {
    if (!set.find(id)) {
      std::cerr << "wirewatch: no rule with id `" << id << "`\n";
      return false;
    }
  }
  return true;
}

void print_explanation(const rules::Explanation& e) {
  std::cout << "  " << e.rule_id << ": " << (e.matched ? "MATCH" : "no match");
  std::vector<std::string> why;
  if (!e.enabled) why.push_back("rule disabled");
  if (!e.source_ok) why.push_back("source not in the rule's `sources`");
  if (!e.candidate) {
    std::string missing;
    for (const auto& m : e.missing) missing += (missing.empty() ? "" : "; ") + ("`" + m + "`");
    why.push_back("not a candidate: nothing of " + missing + " occurs");
  }
  for (std::size_t i = 0; i < why.size(); ++i) std::cout << (i ? "; " : " (") << why[i];
  if (!why.empty()) std::cout << ")";
  std::cout << '\n';
  for (const auto& line : e.lines) {
    std::cout << "    " << std::string(static_cast<std::size_t>(line.depth) * 2, ' ')
              << (line.value ? "[yes] " : "[no]  ") << line.node;
    if (!line.detail.empty()) std::cout << "  — " << line.detail;
    std::cout << '\n';
  }
}

int match_files(const MatchArgs& args) {
  auto loaded = load_rules_reporting(args.rules, false);
  if (!loaded.ok()) return kExitConfig;
  if (!explain_rules_exist(args, *loaded.rules)) return daemon::kExitUsage;
  int status = kExitOk;
  for (const auto& file : args.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << file << ": error: cannot open file\n";
      status = kExitFailure;
      continue;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    auto parsed = parse_record(buf.str());
    if (auto* err = std::get_if<RecordError>(&parsed)) {
      std::cerr << file << ": error: " << err->message << '\n';
      status = kExitFailure;
      continue;
    }
    const auto& text = std::get<RecordText>(parsed);
    auto named = id_from_file_name(fs::path(file).filename().string());
    const std::string id = named ? *named : record_id(args.url, text);
    rules::TextDocument doc(text.title, text.body());
    doc.set_url(args.url).set_author(args.author).set_source_id(args.source).set_lang(args.lang);
    if (args.explain) {
      std::cout << "record " << file << " (" << id << ")\n";
      for (const auto& e : loaded.rules->explain(doc, args.explain_rules)) print_explanation(e);
      continue;
    }
    for (const auto& m : loaded.rules->match(doc)) print_match(m, file, id);
  }
  std::cout.flush();
  return status;
}

// `match --since 7d --config FILE`: the rules (the config's, or --rules) over the
// records the install stored in the window, newest first, read from its state
// database without writing to it, so that a running daemon is not disturbed.
int match_stored(const MatchArgs& args) {
  const auto window = parse_duration(args.since);
  if (!window || window->count() <= 0) {
    std::cerr << "wirewatch match: --since `" << args.since << "` is not a duration such as 7d, 12h or 30m\n";
    return daemon::kExitUsage;
  }
  auto config = daemon::load_config(args.config);
  std::cerr << config.diagnostics.render();
  if (!config.config) return kExitConfig;
  std::vector<std::string> rule_paths = args.rules;
  if (rule_paths.empty())
    for (const auto& p : config.config->rules) rule_paths.push_back(p.string());
  auto loaded = load_rules_reporting(rule_paths, false);
  if (!loaded.ok()) return kExitConfig;
  if (!explain_rules_exist(args, *loaded.rules)) return daemon::kExitUsage;

  const auto state_dir = config.config->state_dir;
  const auto since = now_seconds() - std::chrono::duration_cast<std::chrono::seconds>(*window);
  int status = kExitOk;
  try {
    daemon::RecordReader reader(state_dir / "wirewatch.db");
    reader.for_each_since(since, [&](const daemon::StoredRecord& r) {
      auto parsed = parse_record(r.text);
      if (auto* err = std::get_if<RecordError>(&parsed)) {
        std::cerr << "wirewatch match: stored record " << r.id << ": error: " << err->message << '\n';
        status = kExitFailure;
        return true;
      }
      const auto& text = std::get<RecordText>(parsed);
      rules::DocumentFields fields;
      fields.title = text.title;
      fields.body = text.body();
      fields.url = r.url;
      fields.author = r.author;
      fields.source_id = r.source;
      fields.lang = r.lang;
      const rules::TextDocument doc(std::move(fields));
      const std::string file = (state_dir / r.file).string();
      if (args.explain) {
        std::cout << "record " << r.id << " (source " << r.source << ", stored " << format_utc(r.fetched)
                  << ", " << file << ")\n";
        for (const auto& e : loaded.rules->explain(doc, args.explain_rules)) print_explanation(e);
        return true;
      }
      const nlohmann::json extra = {{"source", r.source}, {"stored", format_utc(r.fetched)}};
      for (const auto& m : loaded.rules->match(doc)) print_match(m, file, r.id, extra);
      return true;
    });
  } catch (const daemon::RecordReaderError& e) {
    std::cout.flush();
    std::cerr << "wirewatch match: " << e.what() << '\n';
    return kExitConfig;
  }
  std::cout.flush();
  return status;
}

int match_command(const MatchArgs& args) {
  if (!args.since.empty() || !args.config.empty()) {
    if (args.since.empty() || args.config.empty() || !args.files.empty()) {
      std::cerr
          << "wirewatch match: give --since DURATION and --config FILE together, without record files\n";
      return daemon::kExitUsage;
    }
    return match_stored(args);
  }
  if (args.rules.empty() || args.files.empty()) {
    std::cerr << "wirewatch match: give --rules PATH and record files, or --since DURATION --config FILE\n";
    return daemon::kExitUsage;
  }
  return match_files(args);
}

}  // namespace

void add_rules_commands(CLI::App& app, ExitCode& exit) {
  auto* rules_cmd = app.add_subcommand("rules", "work with rule files");
  rules_cmd->require_subcommand(1);

  struct FileArgs {
    std::vector<std::string> paths;
    std::string format = "text";
  };
  auto check_args = std::make_shared<FileArgs>();
  auto* check =
      rules_cmd->add_subcommand("check", "validate rule files; diagnostics on stderr; exit 0 or 78");
  check->add_option("PATH", check_args->paths, "rule file or directory of *.yaml")->required();
  check->add_option("--format", check_args->format, "diagnostics format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&exit, check_args] { exit.value = rules_check(check_args->paths, check_args->format); });

  auto test_args = std::make_shared<FileArgs>();
  auto* test = rules_cmd->add_subcommand(
      "test",
      "run every rule's inline tests; pass/fail per rule; exit 0, 1 on a failure, 78 on invalid rules");
  test->add_option("PATH", test_args->paths, "rule file or directory of *.yaml")->required();
  test->add_option("--format", test_args->format, "report format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  test->callback([&exit, test_args] { exit.value = rules_test(test_args->paths, test_args->format); });

  auto match_args = std::make_shared<MatchArgs>();
  auto* match = app.add_subcommand(
      "match",
      "match rules against record files (--rules PATH FILE...) or against the records an install stored "
      "(--since 7d --config FILE, newest first); one JSON line per match");
  match
      ->add_option("--rules", match_args->rules,
                   "rule file or directory (repeatable); with --config: instead of the config's rules")
      ->allow_extra_args(false);
  match->add_option("FILE", match_args->files, "record files");
  match->add_option("--since", match_args->since,
                    "back-test the records stored within this duration (7d, 12h, 30m), newest first; "
                    "needs --config");
  match->add_option("--config", match_args->config,
                    "back-test with this wirewatchd config's rules and state database (opened read-only)");
  match->add_flag("--explain", match_args->explain, "show why each rule matched or not, as text");
  match->add_option("--rule", match_args->explain_rules, "with --explain: only this rule id (repeatable)")
      ->allow_extra_args(false);
  match->add_option("--url", match_args->url, "the records' URL (for url: and site:)");
  match->add_option("--author", match_args->author, "the records' author (for author:)");
  match->add_option("--source", match_args->source, "the records' source id (for source: and sources:)");
  match->add_option("--lang", match_args->lang, "the records' language tag (for lang:)");
  match->callback([&exit, match_args] { exit.value = match_command(*match_args); });
}

}  // namespace wirewatch::cli
