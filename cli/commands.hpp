#pragma once
// Each area of the `wirewatch` tool registers its subcommands on the app; the
// registered callback runs the command and stores the process exit code.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace wirewatch::cli {

// Where a command leaves its exit code (0, 1, 64 usage, 78 invalid config or rules).
struct ExitCode {
  int value = 0;
};

void add_rules_commands(CLI::App& app, ExitCode& exit);    // rules check, match
void add_alert_commands(CLI::App& app, ExitCode& exit);    // tail
void add_feed_commands(CLI::App& app, ExitCode& exit);     // parse-feed, feeds
void add_extract_commands(CLI::App& app, ExitCode& exit);  // extract
void add_service_commands(CLI::App& app, ExitCode& exit);  // check

// One JSON line, invalid UTF-8 replaced rather than thrown on.
std::string json_line(const nlohmann::json& j);

}  // namespace wirewatch::cli
