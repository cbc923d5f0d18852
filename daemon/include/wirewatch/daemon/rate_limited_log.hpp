#pragma once
// Rate-limits errors that repeat (a feed failing every minute, a subscriber
// at its high-water mark): per key, at most one line per interval. Lines
// suppressed in between are counted, and the next line for that key says
//   "... (N similar messages suppressed)";
// when the key goes quiet instead, report_suppressed() writes that line with
// the last suppressed message once the interval has passed.
// Thread-safe; the clock is injectable for tests.
//
//   RateLimitedLog limited(std::chrono::minutes(5));
//   limited.log("fetch:" + source_id, spdlog::level::warn, "source {}: {}",
//   source_id, error);

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wirewatch::daemon {

class Counter;

class RateLimitedLog {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Options {
    std::chrono::steady_clock::duration interval = std::chrono::minutes(5);
    Clock clock;                           // steady_clock::now when empty
    Counter* suppressed_metric = nullptr;  // incremented per suppressed line
  };

  explicit RateLimitedLog(Options options);
  explicit RateLimitedLog(std::chrono::steady_clock::duration interval)
      : RateLimitedLog(Options{interval, {}, nullptr}) {}

  struct Decision {
    bool emit = false;             // log this one
    std::uint64_t suppressed = 0;  // lines for the key suppressed since it last emitted
  };
  // Records one occurrence of `key` and says whether to log it. `text`, when
  // given, is kept while suppressed, for report_suppressed()'s summary.
  Decision check(std::string_view key, std::string_view text = {});

  // Logs through the default logger when check(key) allows it, appending the
  // suppressed count when there is one. Returns whether a line was written.
  template <typename... Args>
  bool log(std::string_view key, spdlog::level::level_enum level, spdlog::format_string_t<Args...> format,
           Args&&... args) {
    auto text = fmt::format(format, std::forward<Args>(args)...);
    auto decision = check(key, text);
    if (!decision.emit) return false;
    spdlog::log(level, "{}", with_suppressed(std::move(text), decision.suppressed));
    return true;
  }

  // For keys that went quiet: for every key with suppressed lines whose
  // interval has passed, logs the last suppressed message with
  // " (N similar messages suppressed)" ("<key>: N similar messages suppressed"
  // when it was not kept), and forgets keys idle for a whole interval. Call
  // now and then (e.g. every second).
  void report_suppressed(spdlog::level::level_enum level = spdlog::level::warn);

  // Suppressed lines over the object's life.
  std::uint64_t suppressed_total() const { return suppressed_total_.load(); }

  static std::string with_suppressed(std::string text, std::uint64_t suppressed);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point last_emitted;
    std::uint64_t suppressed = 0;
    std::string last_text;  // the last suppressed message
  };

  static constexpr std::size_t kMaxQuietKeys = 4096;
  std::chrono::steady_clock::time_point now() const;
  void forget_idle(std::chrono::steady_clock::time_point t);  // mutex_ held

  Options options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::atomic<std::uint64_t> suppressed_total_{0};
};

}  // namespace wirewatch::daemon
