// wirewatch rules check | match
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "wirewatch/daemon/alert.hpp"
#include "wirewatch/daemon/daemon.hpp"
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
  if (as_json) std::cerr << result.diagnostics.to_json() << '\n';
  else std::cerr << result.diagnostics.render();
  return result;
}

int rules_check(const std::vector<std::string>& paths, const std::string& format) {
  auto result = load_rules_reporting(paths, format == "json");
  if (!result.ok()) return kExitConfig;
  if (format != "json") std::cerr << result.rules->size() << " rule(s) OK\n";
  return kExitOk;
}

int match_files(const std::vector<std::string>& rule_paths, const std::vector<std::string>& files) {
  auto loaded = load_rules_reporting(rule_paths, false);
  if (!loaded.ok()) return kExitConfig;
  int status = kExitOk;
  for (const auto& file : files) {
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
    const std::string id = named ? *named : record_id("", text);
    const rules::TextDocument doc(text.title, text.body());
    for (const auto& m : loaded.rules->match(doc)) {
      nlohmann::json line = {{"rule", m.rule_id},
                             {"topic", m.topic},
                             {"file", file},
                             {"record_id", id},
                             {"alert_id", daemon::alert_id(m.rule_id, id)},
                             {"matched", m.matched},
                             {"hits", daemon::hits_json(m)}};
      std::cout << json_line(line) << '\n';
    }
  }
  std::cout.flush();
  return status;
}

}  // namespace

void add_rules_commands(CLI::App& app, ExitCode& exit) {
  auto* rules_cmd = app.add_subcommand("rules", "work with rule files");
  rules_cmd->require_subcommand(1);

  struct CheckArgs {
    std::vector<std::string> paths;
    std::string format = "text";
  };
  auto check_args = std::make_shared<CheckArgs>();
  auto* check = rules_cmd->add_subcommand("check", "validate rule files; diagnostics on stderr");
  check->add_option("PATH", check_args->paths, "rule file or directory of *.yaml")->required();
  check->add_option("--format", check_args->format, "diagnostics format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&exit, check_args] { exit.value = rules_check(check_args->paths, check_args->format); });

  struct MatchArgs {
    std::vector<std::string> rules, files;
  };
  auto match_args = std::make_shared<MatchArgs>();
  auto* match = app.add_subcommand("match", "match record files; one JSON line per match");
  match->add_option("--rules", match_args->rules, "rule file or directory (repeatable)")
      ->required()
      ->allow_extra_args(false);
  match->add_option("FILE", match_args->files, "record files")->required();
  match->callback([&exit, match_args] { exit.value = match_files(match_args->rules, match_args->files); });
}

}  // namespace wirewatch::cli
