#include "wirewatch/daemon/rate_limited_log.hpp"

#include <utility>
#include <vector>

#include "wirewatch/daemon/metrics.hpp"

namespace wirewatch::daemon {

RateLimitedLog::RateLimitedLog(Options options) : options_(std::move(options)) {}

// Keys idle for a whole interval with nothing suppressed carry no
// information; dropping them bounds memory when keys keep changing.
void RateLimitedLog::forget_idle(std::chrono::steady_clock::time_point t) {
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.suppressed == 0 && t - kv.second.last_emitted >= options_.interval;
  });
}

std::chrono::steady_clock::time_point RateLimitedLog::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

RateLimitedLog::Decision RateLimitedLog::check(std::string_view key, std::string_view text) {
  const auto t = now();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxQuietKeys) forget_idle(t);
    entries_.emplace(std::string(key), Entry{t, 0, {}});
    return {true, 0};
  }
  Entry& e = it->second;
  if (t - e.last_emitted >= options_.interval) {
    Decision d{true, e.suppressed};
    e.last_emitted = t;
    e.suppressed = 0;
    e.last_text.clear();
    return d;
  }
  ++e.suppressed;
  e.last_text.assign(text);
  ++suppressed_total_;
  if (options_.suppressed_metric) options_.suppressed_metric->inc();
  return {false, 0};
}

void RateLimitedLog::report_suppressed(spdlog::level::level_enum level) {
  const auto t = now();
  std::vector<std::string> quiet;
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      Entry& e = it->second;
      if (t - e.last_emitted < options_.interval) {
        ++it;
      } else if (e.suppressed > 0) {
        // Reported now; the next occurrence starts a fresh interval.
        quiet.push_back(e.last_text.empty()
                            ? it->first + ": " + std::to_string(e.suppressed) + " similar message" +
                                  (e.suppressed == 1 ? "" : "s") + " suppressed"
                            : with_suppressed(std::move(e.last_text), e.suppressed));
        it = entries_.erase(it);
      } else {
        it = entries_.erase(it);
      }
    }
  }
  for (const auto& line : quiet) spdlog::log(level, "{}", line);
}

std::string RateLimitedLog::with_suppressed(std::string text, std::uint64_t suppressed) {
  if (suppressed == 0) return text;
  text +=
      " (" + std::to_string(suppressed) + " similar message" + (suppressed == 1 ? "" : "s") + " suppressed)";
  return text;
}

}  // namespace wirewatch::daemon
