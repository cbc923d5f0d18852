#pragma once

#include <chrono>
#include <string>

namespace wirewatch {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::sys_seconds;

// `YYYY-MM-DDTHH:MM:SSZ`, the one time format of the alert schema.
std::string format_utc(TimePoint t);
TimePoint now_seconds();

}  // namespace wirewatch
