// wirewatch parse-feed | feeds
#include "commands.hpp"

namespace wirewatch::cli {

void add_feed_commands(CLI::App& /*app*/, ExitCode& /*exit*/) {}

}  // namespace wirewatch::cli
