#pragma once
// Metrics in the Prometheus text exposition format 0.0.4: counters, gauges and
// histograms, each a family of series told apart by label values.
//
// Registration (names, help, labels, buckets) happens at start-up and throws
// std::invalid_argument on a programming error. Updating a series is a relaxed
// atomic operation; finding a labelled series takes a shared lock and a map
// look-up without allocating, so keep the returned reference when the labels
// are fixed (a queue, a source) and look it up per event otherwise (an HTTP
// status). Series live as long as the registry.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::daemon {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double d = 1) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
  void dec(double d = 1) noexcept { value_.fetch_sub(d, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: finite upper bounds, strictly increasing; +Inf is implied.
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);

  void observe(double value) noexcept;
  template <typename Rep, typename Period>
  void observe(std::chrono::duration<Rep, Period> d) noexcept {
    observe(std::chrono::duration<double>(d).count());
  }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 1 ms to 10 s.
std::vector<double> default_latency_buckets();

namespace detail {
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    auto less = [](std::string_view x, std::string_view y) { return x < y; };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), less);
  }
};
}  // namespace detail

class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends HELP, TYPE and every series.
  virtual void write(std::string& out) const = 0;

 protected:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  void check_arity(std::size_t n) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// A metric's series, one per combination of label values.
template <typename T>
class Family final : public FamilyBase {
 public:
  // The series for these label values, one per label name in order; created
  // (at zero) on first use. Throws std::invalid_argument on a wrong count.
  T& with(std::initializer_list<std::string_view> values) {
    return with(std::span<const std::string_view>(values.begin(), values.size()));
  }
  T& with(std::span<const std::string_view> values);
  T& with(std::span<const std::string> values);

  void write(std::string& out) const override;

 private:
  friend class MetricsRegistry;
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::shared_ptr<const std::vector<double>> bounds)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {}
  template <typename Values>
  T& find_or_create(const Values& values);
  std::unique_ptr<T> make() const;

  std::shared_ptr<const std::vector<double>> bounds_;  // histograms only
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>, detail::LabelValuesLess> series_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
  // (not __*, and not `le` on a histogram); a name is registered once.
  Family<Counter>& counter_family(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Gauge>& gauge_family(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds = default_latency_buckets());

  // Metrics without labels.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help,
                       std::vector<double> bounds = default_latency_buckets());

  // Every family in registration order, series sorted by label values.
  std::string expose() const;

  // Content-Type of expose()'s text.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  template <typename T>
  Family<T>& add(std::string name, std::string help, std::vector<std::string> label_names,
                 std::shared_ptr<const std::vector<double>> bounds);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// Exposition helpers, public for tests.
std::string escape_label_value(std::string_view value);  // \ " newline
std::string escape_help(std::string_view help);          // \ newline
std::string format_sample_value(double value);           // shortest; +Inf, -Inf, NaN

// The metrics wirewatchd exposes, and where they are fed:
//   fetches.with({"200"}).inc()            per HTTP fetch, by status ("304"; "error": no response)
//   fetched_bytes.inc(n)                   body bytes received
//   items.with({source}).inc()             items a source produced (feed entries, inbox files)
//   records.with({source}).inc()           records stored
//   duplicates.with({source}).inc()        items dropped as duplicates
//   rejected.with({source}).inc()          items that could not be turned into a record
//   alerts.with({rule}).inc()              alerts created (committed)
//   alerts_published.inc()                 alerts sent on the PUB socket
//   publish_drops.inc()                    sends that hit the high-water mark
//   replay_requests.inc()                  replay requests served
//   queue_depth.with({queue}).set(n)       items waiting in a bounded queue
//   queue_drops.with({queue}).inc()        items a full queue dropped
//   rules_reloaded(ok, n)                  after every rules load (start-up and SIGHUP)
//   fetch_to_publish.observe(duration)     from "fetch done" to "alert published"
//   log_suppressed                         pass to RateLimitedLog::Options::suppressed_metric
//   limits_tripped.with({limit}).inc()     a hard limit tripped, or the SSRF guard refused
struct WirewatchMetrics {
  explicit WirewatchMetrics(MetricsRegistry& registry);

  Family<Counter>& fetches;
  Counter& fetched_bytes;
  Family<Counter>& items;
  Family<Counter>& records;
  Family<Counter>& duplicates;
  Family<Counter>& rejected;
  Family<Counter>& alerts;
  Counter& alerts_published;
  Counter& publish_drops;
  Counter& replay_requests;
  Family<Gauge>& queue_depth;
  Family<Counter>& queue_drops;
  Gauge& rules_last_reload_successful;
  Gauge& rules_last_reload_success_time;
  Gauge& rules_loaded;
  Histogram& fetch_to_publish;
  Counter& log_suppressed;
  Gauge& start_time;
  Family<Counter>& limits_tripped;  // by limit: max_body, blocked_address, max_items_per_feed, ...

  // Sets wirewatch_rules_last_reload_successful to 1 or 0; on success also the
  // time of the reload and the number of rules loaded.
  void rules_reloaded(bool ok, std::size_t rules);
};

}  // namespace wirewatch::daemon
