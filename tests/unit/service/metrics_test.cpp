#include "wirewatch/daemon/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "exposition.hpp"

using namespace wirewatch::daemon;

TEST(Metrics, CounterFamilyExposesHelpTypeAndOneLinePerSeries) {
  MetricsRegistry r;
  auto& fetches = r.counter_family("wirewatch_fetches_total", "HTTP fetches by status.", {"status"});
  fetches.with({"200"}).inc();
  fetches.with({"200"}).inc(2);
  fetches.with({"304"}).inc();
  EXPECT_EQ(r.expose(),
            "# HELP wirewatch_fetches_total HTTP fetches by status.\n"
            "# TYPE wirewatch_fetches_total counter\n"
            "wirewatch_fetches_total{status=\"200\"} 3\n"
            "wirewatch_fetches_total{status=\"304\"} 1\n");
}

TEST(Metrics, FamiliesComeInRegistrationOrderAndUnlabelledOnesHaveNoBraces) {
  MetricsRegistry r;
  r.gauge("b_gauge", "B.").set(2.5);
  r.counter("a_total", "A.").inc(7);
  EXPECT_EQ(r.expose(),
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 2.5\n"
            "# HELP a_total A.\n# TYPE a_total counter\na_total 7\n");
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry r;
  auto& f = r.counter_family("x_total", "Help with \\ and\nnewline.", {"rule", "source"});
  f.with({"a\"b\\c\nd", "plain"}).inc();
  auto text = r.expose();
  EXPECT_NE(text.find("# HELP x_total Help with \\\\ and\\nnewline.\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_total{rule=\"a\\\"b\\\\c\\nd\",source=\"plain\"} 1\n"), std::string::npos) << text;
  auto parsed = exposition::parse(text);
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.help["x_total"], "Help with \\ and\nnewline.");
}

TEST(Metrics, GaugeValuesUseTheShortestFormAndSpecialValues) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(1), "1");
  EXPECT_EQ(format_sample_value(0.1), "0.1");
  EXPECT_EQ(format_sample_value(-3.25), "-3.25");
  EXPECT_EQ(format_sample_value(1e21), "1e+21");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");

  MetricsRegistry r;
  auto& depth = r.gauge_family("wirewatch_queue_depth", "Depth.", {"queue"}).with({"records"});
  depth.set(10);
  depth.inc();
  depth.dec(3);
  EXPECT_DOUBLE_EQ(depth.value(), 8);
  EXPECT_EQ(exposition::parse(r.expose()).samples["wirewatch_queue_depth{queue=\"records\"}"], "8");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry r;
  auto& h = r.histogram("lat_seconds", "Latency.", {0.125, 1, 10});
  h.observe(0.0625);
  h.observe(0.125);  // upper bounds are inclusive
  h.observe(0.5);
  h.observe(std::chrono::milliseconds(2500));
  h.observe(100);
  EXPECT_EQ(r.expose(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.125\"} 2\n"
            "lat_seconds_bucket{le=\"1\"} 3\n"
            "lat_seconds_bucket{le=\"10\"} 4\n"
            "lat_seconds_bucket{le=\"+Inf\"} 5\n"
            "lat_seconds_sum 103.1875\n"
            "lat_seconds_count 5\n");
}

TEST(Metrics, LabelledHistogramPutsLeLast) {
  MetricsRegistry r;
  auto& f = r.histogram_family("h_seconds", "H.", {"queue"}, {1});
  f.with({"a"}).observe(0.5);
  auto parsed = exposition::parse(r.expose());
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.type["h_seconds"], "histogram");
  EXPECT_EQ(parsed.value("h_seconds_bucket{queue=\"a\",le=\"1\"}"), 1);
  EXPECT_EQ(parsed.value("h_seconds_bucket{queue=\"a\",le=\"+Inf\"}"), 1);
  EXPECT_EQ(parsed.value("h_seconds_sum{queue=\"a\"}"), 0.5);
  EXPECT_EQ(parsed.value("h_seconds_count{queue=\"a\"}"), 1);
}

TEST(Metrics, RegistrationMistakesThrow) {
  MetricsRegistry r;
  r.counter("ok_total", "ok");
  EXPECT_THROW(r.counter("ok_total", "again"), std::invalid_argument);
  EXPECT_THROW(r.counter("9starts_with_digit", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("has-dash", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter_family("l_total", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("l2_total", "x", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("h", "x", {"le"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h2", "x", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h3", "x", {2, 1}), std::invalid_argument);
  auto& f = r.counter_family("two_total", "x", {"a", "b"});
  EXPECT_THROW(f.with({"only-one"}), std::invalid_argument);
  EXPECT_NO_THROW(r.histogram("h4", "x", {1, std::numeric_limits<double>::infinity()}));
}

TEST(Metrics, SeriesReferencesAreStableAndLookupsFindTheSameSeries) {
  MetricsRegistry r;
  auto& f = r.counter_family("s_total", "x", {"rule"});
  Counter& first = f.with({"r1"});
  for (int i = 0; i < 100; ++i) f.with({"other" + std::to_string(i)}).inc();
  const std::vector<std::string> key = {"r1"};
  EXPECT_EQ(&f.with(key), &first);
  EXPECT_EQ(&f.with({"r1"}), &first);
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry r;
  auto& f = r.counter_family("c_total", "x", {"worker"});
  auto& g = r.gauge("g", "x");
  auto& h = r.histogram("h_seconds", "x", {0.5});
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        f.with({i % 2 ? "odd" : "even"}).inc();
        g.inc();
        h.observe(t % 2 ? 1.0 : 0.25);
      }
    });
  }
  std::thread scraper([&] {
    for (int i = 0; i < 50; ++i) EXPECT_EQ(exposition::parse(r.expose()).error, "");
  });
  for (auto& t : threads) t.join();
  scraper.join();
  auto parsed = exposition::parse(r.expose());
  EXPECT_EQ(parsed.value("c_total{worker=\"odd\"}"), kThreads * kEach / 2);
  EXPECT_EQ(parsed.value("c_total{worker=\"even\"}"), kThreads * kEach / 2);
  EXPECT_EQ(parsed.value("g"), kThreads * kEach);
  EXPECT_EQ(parsed.value("h_seconds_count"), kThreads * kEach);
  EXPECT_EQ(parsed.value("h_seconds_bucket{le=\"0.5\"}"), kThreads * kEach / 2);
  EXPECT_DOUBLE_EQ(parsed.value("h_seconds_sum"), (kThreads / 2) * kEach * 1.25);
}

TEST(Metrics, WirewatchMetricsExposeEveryPredefinedFamily) {
  MetricsRegistry r;
  WirewatchMetrics m(r);
  m.fetches.with({"200"}).inc();
  m.fetches.with({"error"}).inc();
  m.fetched_bytes.inc(4096);
  m.items.with({"inbox"}).inc(5);
  m.records.with({"inbox"}).inc(4);
  m.duplicates.with({"inbox"}).inc();
  m.alerts.with({"wagner-instructors"}).inc(2);
  m.alerts_published.inc(2);
  m.publish_drops.inc();
  m.replay_requests.inc();
  m.queue_depth.with({"items"}).set(3);
  m.queue_drops.with({"items"}).inc();
  m.fetch_to_publish.observe(std::chrono::milliseconds(30));
  m.rules_reloaded(true, 12);
  m.rules_reloaded(false, 0);

  auto parsed = exposition::parse(r.expose());
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("wirewatch_fetches_total{status=\"200\"}"), 1);
  EXPECT_EQ(parsed.value("wirewatch_fetches_total{status=\"error\"}"), 1);
  EXPECT_EQ(parsed.value("wirewatch_fetched_bytes_total"), 4096);
  EXPECT_EQ(parsed.value("wirewatch_items_total{source=\"inbox\"}"), 5);
  EXPECT_EQ(parsed.value("wirewatch_records_total{source=\"inbox\"}"), 4);
  EXPECT_EQ(parsed.value("wirewatch_duplicates_total{source=\"inbox\"}"), 1);
  EXPECT_EQ(parsed.value("wirewatch_alerts_total{rule=\"wagner-instructors\"}"), 2);
  EXPECT_EQ(parsed.value("wirewatch_alerts_published_total"), 2);
  EXPECT_EQ(parsed.value("wirewatch_publish_dropped_total"), 1);
  EXPECT_EQ(parsed.value("wirewatch_replay_requests_total"), 1);
  EXPECT_EQ(parsed.value("wirewatch_queue_depth{queue=\"items\"}"), 3);
  EXPECT_EQ(parsed.value("wirewatch_queue_dropped_total{queue=\"items\"}"), 1);
  EXPECT_EQ(parsed.value("wirewatch_fetch_to_publish_seconds_bucket{le=\"0.025\"}"), 0);
  EXPECT_EQ(parsed.value("wirewatch_fetch_to_publish_seconds_bucket{le=\"0.05\"}"), 1);
  EXPECT_EQ(parsed.value("wirewatch_fetch_to_publish_seconds_count"), 1);
  // The refused reload sets the flag to 0 but keeps the last good count and time.
  EXPECT_EQ(parsed.value("wirewatch_rules_last_reload_successful"), 0);
  EXPECT_EQ(parsed.value("wirewatch_rules_loaded"), 12);
  EXPECT_GT(parsed.value("wirewatch_rules_last_reload_success_timestamp_seconds"), 1.6e9);
  EXPECT_GT(parsed.value("process_start_time_seconds"), 1.6e9);
  for (const char* family :
       {"wirewatch_fetches_total", "wirewatch_fetched_bytes_total", "wirewatch_items_total",
        "wirewatch_records_total", "wirewatch_duplicates_total", "wirewatch_rejected_items_total",
        "wirewatch_alerts_total", "wirewatch_alerts_published_total", "wirewatch_publish_dropped_total",
        "wirewatch_replay_requests_total", "wirewatch_queue_depth", "wirewatch_queue_dropped_total",
        "wirewatch_rules_last_reload_successful", "wirewatch_fetch_to_publish_seconds",
        "wirewatch_log_messages_suppressed_total"}) {
    EXPECT_TRUE(parsed.type.count(family)) << family;
  }
  EXPECT_EQ(parsed.type["wirewatch_fetch_to_publish_seconds"], "histogram");
}

// The tests above trust exposition::parse to reject bad output; check that it does.
TEST(Metrics, TheTestParserRejectsMalformedExposition) {
  const std::string head = "# HELP m M.\n# TYPE m counter\n";
  EXPECT_EQ(exposition::parse(head + "m 1\n").error, "");
  EXPECT_NE(exposition::parse("m 1\n").error, "");                         // no HELP/TYPE
  EXPECT_NE(exposition::parse(head + "m 1").error, "");                    // no final newline
  EXPECT_NE(exposition::parse(head + "m{a=\"x\\q\"} 1\n").error, "");      // bad escape
  EXPECT_NE(exposition::parse(head + "m{a=\"x} 1\n").error, "");           // unterminated
  EXPECT_NE(exposition::parse(head + "m one\n").error, "");                // not a number
  EXPECT_NE(exposition::parse(head + "m 1\nm 2\n").error, "");             // repeated series
  EXPECT_NE(exposition::parse(head + "# TYPE m gauge\nm 1\n").error, "");  // second TYPE
}
