// wirewatch extract
#include "commands.hpp"

namespace wirewatch::cli {

void add_extract_commands(CLI::App& /*app*/, ExitCode& /*exit*/) {}

}  // namespace wirewatch::cli
