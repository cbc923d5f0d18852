#pragma once

#include "wirewatch/daemon/config.hpp"

namespace wirewatch::daemon {

// Exit codes shared by wirewatchd and wirewatch (sysexits.h).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitConfig = 78;

// Runs wirewatchd until SIGTERM or SIGINT; returns the process exit code.
// Lifecycle: load rules → open store → bind sockets → publish what is pending →
// start sources → serve signals (SIGHUP reloads rules); teardown runs in reverse.
int run_daemon(const Config& config);

}  // namespace wirewatch::daemon
