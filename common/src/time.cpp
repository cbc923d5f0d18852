#include "wirewatch/common/time.hpp"

#include <ctime>

namespace wirewatch {

std::string format_utc(TimePoint t) {
  std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TimePoint now_seconds() { return std::chrono::floor<std::chrono::seconds>(Clock::now()); }

}  // namespace wirewatch
