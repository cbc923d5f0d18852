// wirewatch — tools for operators: check rules, match records, follow alerts.
#include <iostream>

#include "commands.hpp"
#include "wirewatch/daemon/daemon.hpp"

int main(int argc, char** argv) {
  using namespace wirewatch;
  CLI::App app{"wirewatch: check and test rules, match records, follow alerts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wirewatch " WIREWATCH_VERSION);

  cli::ExitCode exit;
  cli::add_rules_commands(app, exit);
  cli::add_alert_commands(app, exit);
  cli::add_feed_commands(app, exit);
  cli::add_extract_commands(app, exit);
  cli::add_service_commands(app, exit);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return daemon::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "wirewatch: " << e.what() << '\n';
    return daemon::kExitFailure;
  }
  return exit.value;
}

std::string wirewatch::cli::json_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
