// wirewatchd — the wirewatch daemon.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "wirewatch/daemon/config.hpp"
#include "wirewatch/daemon/daemon.hpp"
#include "wirewatch/daemon/journal_sink.hpp"
#include "wirewatch/rules/rule_set.hpp"

using namespace wirewatch::daemon;

int main(int argc, char** argv) {
  CLI::App app{"wirewatchd: streaming news ingestion; publishes rule matches on ZeroMQ"};
  std::string config_file;
  bool check_only = false;
  app.add_option("--config", config_file, "configuration file (YAML)")->required();
  app.add_flag("--check-config", check_only, "validate the config and its rules, then exit");
  app.set_version_flag("--version", "wirewatchd " WIREWATCH_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  // Logs go to the journal under systemd (with SOURCE_ID, RULE_ID, ALERT_ID,
  // SEQ fields), else to stderr; stdout stays free.
  setup_logging(spdlog::level::info);
  auto loaded = load_config(config_file);
  std::cerr << loaded.diagnostics.render();
  if (!loaded.config) return kExitConfig;
  const Config& config = *loaded.config;
  spdlog::set_level(config.log_level);

  if (check_only) {
    auto rules = wirewatch::rules::load_rules(config.rules, rule_limits(config.limits));
    std::cerr << rules.diagnostics.render();
    if (!rules.ok()) return kExitConfig;
    std::cerr << config_file << ": OK (" << rules.rules->size() << " rules)\n";
    return kExitOk;
  }
  try {
    return run_daemon(config);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return kExitFailure;
  }
}
