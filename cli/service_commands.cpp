// wirewatch check
#include <iostream>

#include "commands.hpp"
#include "wirewatch/daemon/config.hpp"
#include "wirewatch/daemon/daemon.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::cli {
namespace {

// Validates a config and the rules it names together; every error at once.
int check(const std::string& file) {
  auto loaded = daemon::load_config(file);
  std::cerr << loaded.diagnostics.render();
  if (!loaded.config) return daemon::kExitConfig;
  auto rules = rules::load_rules(loaded.config->rules, daemon::rule_limits(loaded.config->limits));
  std::cerr << rules.diagnostics.render();
  if (!rules.ok()) return daemon::kExitConfig;
  std::cerr << file << ": OK (" << loaded.config->sources.size() << " source(s), " << rules.rules->size()
            << " rule(s))\n";
  return daemon::kExitOk;
}

}  // namespace

void add_service_commands(CLI::App& app, ExitCode& exit) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("check", "validate a config file and its rules; exit 0 or 78");
  cmd->add_option("FILE", *file, "wirewatchd configuration (YAML)")->required();
  cmd->callback([&exit, file] { exit.value = check(*file); });
}

}  // namespace wirewatch::cli
