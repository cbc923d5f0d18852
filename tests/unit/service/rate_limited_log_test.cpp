#include "wirewatch/daemon/rate_limited_log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>

#include "wirewatch/daemon/metrics.hpp"

using namespace wirewatch::daemon;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  RateLimitedLog::Clock fn() {
    return [this] { return now; };
  }
};

// Makes the default logger write "<level> <message>" lines into `out`.
struct CaptureDefaultLogger {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  CaptureDefaultLogger() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("%l %v");
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CaptureDefaultLogger() { spdlog::set_default_logger(previous); }
};

}  // namespace

TEST(RateLimitedLog, EmitsOncePerIntervalAndCountsTheRest) {
  FakeClock clock;
  RateLimitedLog limited({60s, clock.fn(), nullptr});
  auto d = limited.check("feed:bbc");
  EXPECT_TRUE(d.emit);
  EXPECT_EQ(d.suppressed, 0u);
  for (int i = 0; i < 3; ++i) {
    clock.now += 10s;
    EXPECT_FALSE(limited.check("feed:bbc").emit);
  }
  clock.now += 29s;  // 59 s after the first line
  EXPECT_FALSE(limited.check("feed:bbc").emit);
  clock.now += 1s;  // 60 s
  d = limited.check("feed:bbc");
  EXPECT_TRUE(d.emit);
  EXPECT_EQ(d.suppressed, 4u);
  EXPECT_EQ(limited.suppressed_total(), 4u);
  // The count starts again after a line is written.
  clock.now += 60s;
  d = limited.check("feed:bbc");
  EXPECT_TRUE(d.emit);
  EXPECT_EQ(d.suppressed, 0u);
}

TEST(RateLimitedLog, KeysAreIndependent) {
  FakeClock clock;
  RateLimitedLog limited({60s, clock.fn(), nullptr});
  EXPECT_TRUE(limited.check("feed:a").emit);
  EXPECT_TRUE(limited.check("feed:b").emit);
  EXPECT_FALSE(limited.check("feed:a").emit);
  EXPECT_FALSE(limited.check("feed:b").emit);
  EXPECT_TRUE(limited.check("feed:c").emit);
}

TEST(RateLimitedLog, LogWritesTheSuppressedCountOnTheNextLine) {
  CaptureDefaultLogger capture;
  FakeClock clock;
  MetricsRegistry registry;
  Counter& suppressed = registry.counter("suppressed_total", "test");
  RateLimitedLog limited({5min, clock.fn(), &suppressed});
  EXPECT_TRUE(limited.log("feed:bbc", spdlog::level::warn, "source {}: {}", "bbc", "HTTP 503"));
  EXPECT_FALSE(limited.log("feed:bbc", spdlog::level::warn, "source {}: {}", "bbc", "HTTP 503"));
  EXPECT_FALSE(limited.log("feed:bbc", spdlog::level::warn, "source {}: {}", "bbc", "timeout"));
  clock.now += 5min;
  EXPECT_TRUE(limited.log("feed:bbc", spdlog::level::warn, "source {}: {}", "bbc", "HTTP 503"));
  clock.now += 5min;
  EXPECT_TRUE(limited.log("feed:bbc", spdlog::level::warn, "source {}: {}", "bbc", "x"));
  EXPECT_EQ(capture.out.str(),
            "warning source bbc: HTTP 503\n"
            "warning source bbc: HTTP 503 (2 similar messages suppressed)\n"
            "warning source bbc: x\n");
  EXPECT_EQ(suppressed.value(), 2u);
}

TEST(RateLimitedLog, ReportsKeysThatWentQuiet) {
  CaptureDefaultLogger capture;
  FakeClock clock;
  RateLimitedLog limited({60s, clock.fn(), nullptr});
  limited.check("feed:a");
  limited.check("feed:a");  // suppressed
  limited.check("feed:b");  // nothing suppressed
  limited.report_suppressed();
  EXPECT_EQ(capture.out.str(), "");  // the interval has not passed yet
  clock.now += 60s;
  limited.report_suppressed(spdlog::level::info);
  EXPECT_EQ(capture.out.str(), "info feed:a: 1 similar message suppressed\n");
  // Reported and forgotten: the next occurrence is written at once.
  EXPECT_TRUE(limited.check("feed:a").emit);
  EXPECT_TRUE(limited.check("feed:b").emit);
}

TEST(RateLimitedLog, SuffixText) {
  EXPECT_EQ(RateLimitedLog::with_suppressed("m", 0), "m");
  EXPECT_EQ(RateLimitedLog::with_suppressed("m", 1), "m (1 similar message suppressed)");
  EXPECT_EQ(RateLimitedLog::with_suppressed("m", 7), "m (7 similar messages suppressed)");
}

TEST(RateLimitedLog, SummaryOfAQuietKeyQuotesTheLastSuppressedMessage) {
  CaptureDefaultLogger capture;
  FakeClock clock;
  MetricsRegistry registry;
  Counter& suppressed = registry.counter("suppressed_total", "test");
  RateLimitedLog limited({60s, clock.fn(), &suppressed});
  limited.log("feed:bbc", spdlog::level::warn, "feed bbc: {}", "HTTP 500");
  clock.now += 10s;
  limited.log("feed:bbc", spdlog::level::warn, "feed bbc: {}", "HTTP 500");
  clock.now += 10s;
  limited.log("feed:bbc", spdlog::level::warn, "feed bbc: {}", "HTTP 502");
  EXPECT_EQ(suppressed.value(), 2u);
  limited.report_suppressed();
  EXPECT_EQ(capture.out.str(), "warning feed bbc: HTTP 500\n");
  clock.now += 40s;  // the window of the first line has passed
  limited.report_suppressed();
  EXPECT_EQ(capture.out.str(),
            "warning feed bbc: HTTP 500\n"
            "warning feed bbc: HTTP 502 (2 similar messages suppressed)\n");
  // Reported once: a second call writes nothing more.
  limited.report_suppressed();
  EXPECT_EQ(suppressed.value(), 2u);
  const std::string out = capture.out.str();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}
