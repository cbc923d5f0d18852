#pragma once
// Tells systemd what wirewatchd is doing, through sd_notify(3): readiness,
// a one-line status, reloads, shutdown and watchdog pings. Every call is a
// no-op (returning false) when NOTIFY_SOCKET is unset, i.e. when not started by
// systemd with Type=notify. Thread-safe: each call sends one datagram.
//
// Order the lifecycle expects:
//   ready()                       after rules are loaded and sockets are bound
//   status("...")                 whenever the counts change (rate-limit it)
//   reloading() ... ready()       around a SIGHUP reload, also a refused one
//   watchdog()                    every watchdog_interval() / 2, from the
//                                 pipeline's own heartbeat
//   stopping()                    on SIGTERM, before the teardown

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wirewatch::daemon {

class ServiceNotifier {
 public:
  // True when NOTIFY_SOCKET is set: datagrams will be sent.
  bool enabled() const;

  // READY=1. Each returns true when the datagram was sent.
  bool ready();
  // STATUS=<text>; newlines in the text become spaces (one line in systemctl status).
  bool status(std::string_view text);
  // RELOADING=1 and MONOTONIC_USEC=<CLOCK_MONOTONIC in µs>, in one datagram;
  // send ready() when the reload is done, whether it succeeded or was refused.
  bool reloading();
  // STOPPING=1.
  bool stopping();
  // WATCHDOG=1.
  bool watchdog();

  // The interval systemd expects WATCHDOG=1 within (WatchdogSec=), or nullopt
  // when the watchdog is off for this process (sd_watchdog_enabled(3)).
  std::optional<std::chrono::microseconds> watchdog_interval() const;

  // The exact text each call sends, for tests and logs.
  static std::string reloading_message(std::chrono::microseconds monotonic_now);
  static std::string status_message(std::string_view text);

 private:
  bool send(const std::string& message);
};

}  // namespace wirewatch::daemon
