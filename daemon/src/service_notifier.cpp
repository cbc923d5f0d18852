#include "wirewatch/daemon/service_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>

namespace wirewatch::daemon {
namespace {

std::chrono::microseconds monotonic_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::chrono::seconds(ts.tv_sec) +
         std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::nanoseconds(ts.tv_nsec));
}

}  // namespace

bool ServiceNotifier::enabled() const {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket != nullptr && *socket != '\0';
}

bool ServiceNotifier::send(const std::string& message) {
  if (!enabled()) return false;
  return sd_notify(0, message.c_str()) > 0;
}

bool ServiceNotifier::ready() { return send("READY=1"); }

bool ServiceNotifier::status(std::string_view text) { return send(status_message(text)); }

bool ServiceNotifier::reloading() { return send(reloading_message(monotonic_now())); }

bool ServiceNotifier::stopping() { return send("STOPPING=1"); }

bool ServiceNotifier::watchdog() { return send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> ServiceNotifier::watchdog_interval() const {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
}

std::string ServiceNotifier::reloading_message(std::chrono::microseconds monotonic) {
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic.count());
}

std::string ServiceNotifier::status_message(std::string_view text) {
  std::string message = "STATUS=";
  message.reserve(message.size() + text.size());
  for (char c : text) message += (c == '\n' || c == '\r') ? ' ' : c;
  return message;
}

}  // namespace wirewatch::daemon
