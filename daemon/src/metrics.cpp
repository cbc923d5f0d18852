#include "wirewatch/daemon/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace wirewatch::daemon {
namespace {

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// `name{a="x",b="y"}` with an optional extra label (a histogram's `le`).
void write_series_name(std::string& out, std::string_view name, const std::vector<std::string>& label_names,
                       const std::vector<std::string>& values, std::string_view extra_name = {},
                       std::string_view extra_value = {}) {
  out += name;
  if (label_names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += label_names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void write_header(std::string& out, const FamilyBase& f, std::string_view type) {
  out += "# HELP ";
  out += f.name();
  out += ' ';
  out += escape_help(f.help());
  out += "\n# TYPE ";
  out += f.name();
  out += ' ';
  out += type;
  out += '\n';
}

constexpr std::span<const std::string_view> kNoLabels;

double now_unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::vector<double> default_latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// --- Histogram

Histogram::Histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_->size() + 1)) {}

void Histogram::observe(double value) noexcept {
  // Buckets are "less than or equal": the first bound >= value; NaN lands in +Inf.
  const auto& b = *bounds_;
  auto it = std::lower_bound(b.begin(), b.end(), value);
  auto index = static_cast<std::size_t>(it - b.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.resize(bounds_->size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_->size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  // _count is the +Inf bucket, so the two always agree within one scrape.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// --- Family

void FamilyBase::check_arity(std::size_t n) const {
  if (n != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + " takes " + std::to_string(label_names_.size()) +
                                " label value(s), got " + std::to_string(n));
  }
}

template <typename T>
std::unique_ptr<T> Family<T>::make() const {
  if constexpr (std::is_same_v<T, Histogram>)
    return std::make_unique<Histogram>(bounds_);
  else
    return std::make_unique<T>();
}

template <typename T>
template <typename Values>
T& Family<T>::find_or_create(const Values& values) {
  check_arity(values.size());
  {
    std::shared_lock lock(mutex_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  std::vector<std::string> key(values.begin(), values.end());
  auto [inserted, ok] = series_.emplace(std::move(key), make());
  return *inserted->second;
}

template <typename T>
T& Family<T>::with(std::span<const std::string_view> values) {
  return find_or_create(values);
}

template <typename T>
T& Family<T>::with(std::span<const std::string> values) {
  return find_or_create(values);
}

namespace {

constexpr std::string_view type_name(const Counter*) { return "counter"; }
constexpr std::string_view type_name(const Gauge*) { return "gauge"; }
constexpr std::string_view type_name(const Histogram*) { return "histogram"; }

void write_series(std::string& out, const std::string& name, const std::vector<std::string>& labels,
                  const std::vector<std::string>& values, const Counter& c) {
  write_series_name(out, name, labels, values);
  out += ' ';
  out += std::to_string(c.value());
  out += '\n';
}

void write_series(std::string& out, const std::string& name, const std::vector<std::string>& labels,
                  const std::vector<std::string>& values, const Gauge& g) {
  write_series_name(out, name, labels, values);
  out += ' ';
  out += format_sample_value(g.value());
  out += '\n';
}

void write_series(std::string& out, const std::string& name, const std::vector<std::string>& labels,
                  const std::vector<std::string>& values, const Histogram& h) {
  auto s = h.snapshot();
  const auto& bounds = h.bounds();
  const std::string bucket = name + "_bucket";
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    auto le = i < bounds.size() ? format_sample_value(bounds[i]) : std::string("+Inf");
    write_series_name(out, bucket, labels, values, "le", le);
    out += ' ';
    out += std::to_string(s.cumulative[i]);
    out += '\n';
  }
  write_series_name(out, name + "_sum", labels, values);
  out += ' ';
  out += format_sample_value(s.sum);
  out += '\n';
  write_series_name(out, name + "_count", labels, values);
  out += ' ';
  out += std::to_string(s.count);
  out += '\n';
}

}  // namespace

template <typename T>
void Family<T>::write(std::string& out) const {
  write_header(out, *this, type_name(static_cast<const T*>(nullptr)));
  std::shared_lock lock(mutex_);
  for (const auto& [values, series] : series_) {
    write_series(out, name_, label_names_, values, *series);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// --- Registry

template <typename T>
Family<T>& MetricsRegistry::add(std::string name, std::string help, std::vector<std::string> label_names,
                                std::shared_ptr<const std::vector<double>> bounds) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& l = label_names[i];
    if (!valid_label_name(l)) {
      throw std::invalid_argument("metric " + name + ": invalid label name: " + l);
    }
    if (std::is_same_v<T, Histogram> && l == "le") {
      throw std::invalid_argument("metric " + name + ": a histogram cannot have a label `le`");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names[j] == l) {
        throw std::invalid_argument("metric " + name + ": label " + l + " twice");
      }
    }
  }
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) {
    if (f->name() == name) throw std::invalid_argument("metric registered twice: " + name);
  }
  auto family = std::unique_ptr<Family<T>>(
      new Family<T>(std::move(name), std::move(help), std::move(label_names), std::move(bounds)));
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& MetricsRegistry::counter_family(std::string name, std::string help,
                                                 std::vector<std::string> label_names) {
  return add<Counter>(std::move(name), std::move(help), std::move(label_names), nullptr);
}

Family<Gauge>& MetricsRegistry::gauge_family(std::string name, std::string help,
                                             std::vector<std::string> label_names) {
  return add<Gauge>(std::move(name), std::move(help), std::move(label_names), nullptr);
}

Family<Histogram>& MetricsRegistry::histogram_family(std::string name, std::string help,
                                                     std::vector<std::string> label_names,
                                                     std::vector<double> bounds) {
  if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0) bounds.pop_back();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
      throw std::invalid_argument("histogram " + name +
                                  ": bucket bounds must be finite and strictly increasing");
    }
  }
  return add<Histogram>(std::move(name), std::move(help), std::move(label_names),
                        std::make_shared<const std::vector<double>>(std::move(bounds)));
}

Counter& MetricsRegistry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).with(kNoLabels);
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).with(kNoLabels);
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help, std::vector<double> bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(bounds)).with(kNoLabels);
}

std::string MetricsRegistry::expose() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) f->write(out);
  return out;
}

// --- wirewatchd's metrics

WirewatchMetrics::WirewatchMetrics(MetricsRegistry& r)
    : fetches(r.counter_family("wirewatch_fetches_total",
                               "HTTP fetches by response status (\"error\": no response).", {"status"})),
      fetched_bytes(r.counter("wirewatch_fetched_bytes_total", "Body bytes received by fetches.")),
      items(r.counter_family("wirewatch_items_total",
                             "Items produced by sources (feed entries, inbox files).", {"source"})),
      records(r.counter_family("wirewatch_records_total", "Records stored.", {"source"})),
      duplicates(r.counter_family("wirewatch_duplicates_total",
                                  "Items dropped as duplicates of stored records.", {"source"})),
      rejected(r.counter_family("wirewatch_rejected_items_total",
                                "Items that could not be turned into a record.", {"source"})),
      alerts(r.counter_family("wirewatch_alerts_total", "Alerts created (committed), by rule.", {"rule"})),
      alerts_published(r.counter("wirewatch_alerts_published_total", "Alerts sent on the publish socket.")),
      publish_drops(r.counter("wirewatch_publish_dropped_total",
                              "Publish sends that hit a subscriber's high-water mark.")),
      replay_requests(r.counter("wirewatch_replay_requests_total", "Replay requests served.")),
      queue_depth(r.gauge_family("wirewatch_queue_depth", "Items waiting in a bounded queue.", {"queue"})),
      queue_drops(r.counter_family("wirewatch_queue_dropped_total", "Items dropped by a full bounded queue.",
                                   {"queue"})),
      rules_last_reload_successful(r.gauge("wirewatch_rules_last_reload_successful",
                                           "1 when the last rules load succeeded, 0 when it was refused.")),
      rules_last_reload_success_time(r.gauge("wirewatch_rules_last_reload_success_timestamp_seconds",
                                             "Unix time of the last successful rules load.")),
      rules_loaded(r.gauge("wirewatch_rules_loaded", "Rules in the active rule set.")),
      fetch_to_publish(r.histogram("wirewatch_fetch_to_publish_seconds",
                                   "Latency from fetch done to alert published, in seconds.")),
      log_suppressed(r.counter("wirewatch_log_messages_suppressed_total",
                               "Log lines suppressed by rate limiting of repeated messages.")),
      start_time(r.gauge("process_start_time_seconds",
                         "Start time of the process since the Unix epoch in seconds.")),
      limits_tripped(r.counter_family(
          "wirewatch_limits_tripped_total",
          "Times a hard limit on untrusted input tripped (or the SSRF guard refused an address).",
          {"limit"})) {
  start_time.set(now_unix_seconds());
}

void WirewatchMetrics::rules_reloaded(bool ok, std::size_t rules) {
  rules_last_reload_successful.set(ok ? 1 : 0);
  if (!ok) return;
  rules_last_reload_success_time.set(now_unix_seconds());
  rules_loaded.set(static_cast<double>(rules));
}

}  // namespace wirewatch::daemon
