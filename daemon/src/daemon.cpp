#include "wirewatch/daemon/daemon.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "wirewatch/common/memory.hpp"
#include "wirewatch/common/thread.hpp"
#include "wirewatch/connectors/directory_source.hpp"
#include "wirewatch/connectors/feed_poller.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"
#include "wirewatch/daemon/bounded_queue.hpp"
#include "wirewatch/daemon/metrics_server.hpp"
#include "wirewatch/daemon/pipeline.hpp"
#include "wirewatch/daemon/rate_limited_log.hpp"
#include "wirewatch/daemon/replay.hpp"
#include "wirewatch/daemon/rules_watcher.hpp"
#include "wirewatch/daemon/service_notifier.hpp"

namespace wirewatch::daemon {
namespace {

constexpr std::size_t kQueueCapacity = 1024;

// What a source produced, stamped when the source had it in hand, so the
// latency of its alerts is measured from "fetch done" or "file read".
struct TimedInput {
  SourceInput input;
  std::chrono::steady_clock::time_point ready_at;
};

// The status label of wirewatch_fetches_total.
std::string status_label(const connectors::FetchResult& r) {
  return r.status == 0 ? std::string("error") : std::to_string(r.status);
}

std::shared_ptr<const rules::RuleSet> load_and_report(const Config& config,
                                                      WirewatchMetrics* metrics = nullptr) {
  auto result = rules::load_rules(config.rules, rule_limits(config.limits));
  if (metrics)
    for (const auto& limit : result.limits_tripped) metrics->limits_tripped.with({limit}).inc();
  for (const auto& d : result.diagnostics.items()) {
    if (d.severity == Severity::error)
      spdlog::error("{}", d.headline());
    else
      spdlog::warn("{}", d.headline());
  }
  return result.rules;
}

void write_endpoints(const std::filesystem::path& state_dir, const Publisher& publisher,
                     const ReplayServer* replay, const MetricsServer* metrics) {
  nlohmann::json j = {{"publish", publisher.bound_endpoints()}};
  if (replay) j["replay"] = replay->bound_endpoints();
  if (metrics) j["metrics"] = metrics->bound_address();
  auto path = state_dir / "endpoints.json";
  auto tmp = state_dir / "endpoints.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << '\n';
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);  // poll every feed now
  return set;
}

}  // namespace

int run_daemon(const Config& config) {
  // Signals are taken synchronously by the main thread; every thread started
  // below inherits the mask, so none of them is interrupted.
  const sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  MetricsRegistry registry;
  WirewatchMetrics metrics(registry);
  ServiceNotifier notifier;
  RateLimitedLog limited_log(RateLimitedLog::Options{config.log_repeat_window, {}, &metrics.log_suppressed});

  // The metrics endpoint comes up first, so /-/healthy answers and /-/ready
  // says 503 while a large rule set loads and the sockets are bound.
  std::unique_ptr<MetricsServer> metrics_server;
  if (!config.metrics.listen.empty()) {
    try {
      metrics_server = std::make_unique<MetricsServer>(registry, config.metrics.listen);
    } catch (const std::exception& e) {
      spdlog::error("cannot start: {}", e.what());
      return kExitFailure;
    }
    spdlog::info("metrics on http://{}/metrics", metrics_server->bound_address());
  }

  auto initial = load_and_report(config, &metrics);
  metrics.rules_reloaded(initial != nullptr, initial ? initial->size() : 0);
  if (!initial) {
    spdlog::error("rules are invalid; not starting");
    return kExitConfig;
  }
  ActiveRules rules(initial);
  spdlog::info("loaded {} rule(s)", initial->size());
  initial.reset();

  // One ZeroMQ context for every socket, so the ZAP handler (inproc) sees them.
  zmq::context_t zmq_context(1);
  std::unique_ptr<Store> store;
  std::unique_ptr<Publisher> publisher;
  std::unique_ptr<ReplayServer> replay;
  std::unique_ptr<ZapHandler> zap;
  const auto database = config.state_dir / "wirewatch.db";
  try {
    std::filesystem::create_directories(config.state_dir);
    store = std::make_unique<Store>(database);
    if (config.publish.curve) {
      zap = std::make_unique<ZapHandler>(zmq_context, config.publish.curve->allowed_clients);
    }
    PublisherOptions popts{config.publish.endpoints, config.publish.sndhwm, config.publish.curve};
    publisher = std::make_unique<Publisher>(zmq_context, popts);
    if (!config.publish.replay.empty()) {
      replay =
          std::make_unique<ReplayServer>(zmq_context, config.publish.replay, database, config.publish.curve);
    }
    if (replay) replay->count_requests_in(&metrics.replay_requests);
    write_endpoints(config.state_dir, *publisher, replay.get(), metrics_server.get());
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return kExitFailure;
  }
  for (const auto& ep : publisher->bound_endpoints()) spdlog::info("publishing on {}", ep);
  if (replay) {
    for (const auto& ep : replay->bound_endpoints()) spdlog::info("replay on {}", ep);
  }
  std::jthread zap_thread, replay_thread;
  if (zap)
    zap_thread = std::jthread([&zap](std::stop_token st) {
      name_this_thread("ww-zap");
      zap->serve(st);
    });
  if (replay)
    replay_thread = std::jthread([&replay](std::stop_token st) {
      name_this_thread("ww-replay");
      replay->serve(st);
    });

  // sources ──► inputs ──► workers (prepare: normalize + match) ──► batches ──► store thread
  // Every queue blocks when full (a slow stage slows its producers), so the
  // drop counters stay at zero; they are exposed so alerts on them hold.
  BoundedQueue<TimedInput> inputs(kQueueCapacity);
  BoundedQueue<StoreBatch> batches(kQueueCapacity);
  for (const auto& sc : config.sources) {  // every source's series exist from the start
    for (auto* family : {&metrics.items, &metrics.records, &metrics.duplicates, &metrics.rejected})
      family->with({sc.id});
  }
  for (const char* q : {"inputs", "batches", "record_files"}) {
    metrics.queue_depth.with({q}).set(0);
    metrics.queue_drops.with({q});
  }
  std::atomic<bool> pipeline_failed{false};
  PipelineOptions pipeline_options;
  pipeline_options.state_dir = config.state_dir;
  pipeline_options.instance_id = store->instance_id();
  pipeline_options.publish_records = config.publish.records;
  pipeline_options.metrics = &metrics;
  pipeline_options.notifier = &notifier;
  pipeline_options.retention = config.retention;
  pipeline_options.near_duplicates_max_records = config.near_duplicates.max_records;
  pipeline_options.limited_log = &limited_log;
  Pipeline pipeline(*store, *publisher, rules, std::move(pipeline_options));

  // The store-and-publish thread: the only user of the Store and the Publisher
  // from here until it is joined. It wakes for batches and for the heartbeat,
  // and commits whatever is waiting in one transaction.
  std::thread store_thread([&] {
    name_this_thread("ww-store");
    try {
      run_store_loop(pipeline, batches);
    } catch (const std::exception& e) {
      spdlog::critical("state database failure, stopping: {}", e.what());
      pipeline_failed = true;
      inputs.close();
      batches.close();
      kill(getpid(), SIGTERM);
    }
  });

  const RecordLimits record_limits{config.limits.max_paragraphs, config.limits.max_record_bytes};
  for (const char* limit :
       {"max_body", "blocked_address", "max_items_per_feed", "max_paragraphs", "max_record_bytes",
        "max_rules", "max_query_length", "max_query_depth", "max_yaml_bytes", "max_yaml_depth"})
    metrics.limits_tripped.with({limit});  // every series from 0, so rate() sees the first trip
  std::vector<std::thread> workers;
  const unsigned worker_count = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < worker_count; ++i) {
    workers.emplace_back([&] {
      name_this_thread("ww-prepare");
      while (auto input = inputs.pop()) {
        auto snapshot = rules.get();
        auto batch = prepare(input->input, *snapshot, record_limits);
        for (const auto& c : batch.candidates)
          for (const char* limit : c.limits_tripped) metrics.limits_tripped.with({limit}).inc();
        batch.ready_at = input->ready_at;
        if (!batches.push(std::move(batch))) break;
      }
    });
  }

  // Feeds: one I/O thread in the fetcher, one scheduler thread in the poller.
  // The poller asks a connection of its own whether an item is known before it
  // fetches any article page.
  std::unique_ptr<connectors::HttpFetcher> fetcher;
  std::unique_ptr<connectors::FeedPoller> poller;
  std::jthread poller_thread;
  std::unique_ptr<Store> seen_store;
  std::mutex seen_mutex;
  bool has_feeds = false;
  for (const auto& sc : config.sources) has_feeds = has_feeds || sc.type == SourceConfig::Type::feed;
  if (has_feeds) {
    seen_store = std::make_unique<Store>(database, kReaderCacheKiB);
    auto http_options = config.http;
    http_options.on_limit = [&metrics](std::string_view limit) {
      metrics.limits_tripped.with({limit}).inc();
    };
    fetcher = std::make_unique<connectors::HttpFetcher>(std::move(http_options));
    connectors::FeedPollerOptions poller_options;
    poller_options.schedule.min_retry = config.http.min_retry;
    poller_options.max_items_per_feed = config.limits.max_items_per_feed;
    poller_options.on_limit = [&metrics](std::string_view limit) {
      metrics.limits_tripped.with({limit}).inc();
    };
    poller_options.on_fetch = [&metrics](const std::string&, const connectors::FetchResult& r) {
      metrics.fetches.with({status_label(r)}).inc();
      metrics.fetched_bytes.inc(r.body.size());
    };
    // A feed that fails keeps failing on every poll: one line per window.
    poller_options.on_failure = [&limited_log](const std::string& source, const std::string& message) {
      limited_log.log("feed:" + source, spdlog::level::warn, "{}", message);
    };
    poller = std::make_unique<connectors::FeedPoller>(
        *fetcher,
        [&](const std::string& source, const std::string& key) {
          std::lock_guard lock(seen_mutex);
          return seen_store->item_seen(source, key);
        },
        [&inputs, &metrics](connectors::FeedPollResult result) {
          metrics.items.with({result.source_id}).inc(result.entries.size());
          return inputs.push({std::move(result), std::chrono::steady_clock::now()});
        },
        std::move(poller_options));
    for (const auto& sc : config.sources) {
      if (sc.type != SourceConfig::Type::feed) continue;
      auto state = seen_store->feed_state(sc.id).value_or(connectors::FeedState{});
      poller->add({sc.id, sc.url, sc.interval, sc.articles}, state);
    }
  }

  // Rule files are watched: an edit reloads them as SIGHUP does.
  RulesWatcher rules_watcher(config.rules);
  std::jthread rules_watch_thread([&rules_watcher](std::stop_token st) {
    name_this_thread("ww-rules");
    rules_watcher.run(st);
  });

  std::vector<std::jthread> sources;
  if (poller) {
    poller_thread = std::jthread([&poller](std::stop_token st) {
      name_this_thread("ww-poll");
      poller->run(st);
    });
  }
  for (const auto& sc : config.sources) {
    if (sc.type != SourceConfig::Type::directory) continue;
    connectors::DirectorySourceOptions opts;
    opts.source_id = sc.id;
    opts.path = sc.path;
    Counter& items = metrics.items.with({sc.id});
    sources.emplace_back([&inputs, &items, opts](std::stop_token stop) {
      name_this_thread("ww-directory");
      connectors::DirectorySource source(opts);
      source.run(
          [&](connectors::DirectoryItem item) {
            items.inc();
            return inputs.push({std::move(item), std::chrono::steady_clock::now()});
          },
          stop);
    });
  }
  spdlog::info("wirewatchd started: {} source(s), state in {}", config.sources.size(),
               config.state_dir.string());
  // Parsing the config and rules churned through memory that is free now.
  release_free_memory();
  if (metrics_server) metrics_server->set_ready(true);
  notifier.ready();

  // The main thread waits for signals, and every second samples the queue
  // depths and sums up repeated log lines whose window has passed. It also gives
  // the heap's free pages back after a burst: a first poll of many feeds leaves
  // most of its memory free but held by the allocator, and RSS would stay at the
  // burst's peak. Only when both queues are empty (the burst is over) and at most
  // every kTrimInterval: during a burst a trim takes 1-70 ms and the pages it
  // returns are soon faulted in again (docs/performance.md, "Polling").
  constexpr auto kTrimInterval = std::chrono::seconds(5);
  auto last_trim = std::chrono::steady_clock::now();
  auto sample = [&] {
    const auto queued_inputs = inputs.size(), queued_batches = batches.size();
    metrics.queue_depth.with({"inputs"}).set(static_cast<double>(queued_inputs));
    metrics.queue_depth.with({"batches"}).set(static_cast<double>(queued_batches));
    limited_log.report_suppressed();
    const auto now = std::chrono::steady_clock::now();
    if (queued_inputs == 0 && queued_batches == 0 && now - last_trim >= kTrimInterval) {
      release_free_memory();
      last_trim = now;
    }
  };
  for (;;) {
    siginfo_t info;
    const timespec tick{1, 0};
    int sig = sigtimedwait(&signals, &info, &tick);
    if (sig < 0) {
      sample();
      continue;
    }
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading rules");
      notifier.reloading();
      if (auto fresh = load_and_report(config, &metrics)) {
        auto n = fresh->size();
        rules.set(std::move(fresh));
        metrics.rules_reloaded(true, n);
        spdlog::info("rules reloaded: {} rule(s) active", n);
      } else {
        metrics.rules_reloaded(false, 0);
        spdlog::error("rules reload refused; the previous rules stay active");
      }
      notifier.ready();
    } else if (sig == SIGUSR1) {
      if (poller) {
        spdlog::info("SIGUSR1: polling every feed now");
        poller->poll_all_now();
      } else {
        spdlog::info("SIGUSR1: no feeds configured");
      }
    } else if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      notifier.stopping();
      if (metrics_server) metrics_server->set_ready(false);
      break;
    }
  }

  // Teardown in reverse: sources stop producing, workers and the store thread
  // finish the records in flight, then the sockets and the database close.
  rules_watch_thread = {};
  for (auto& src : sources) src.request_stop();
  poller_thread.request_stop();
  inputs.close();  // wakes a source blocked on a full queue; workers drain the rest
  sources.clear();
  poller_thread = {};
  poller.reset();
  fetcher.reset();
  for (auto& w : workers) w.join();
  batches.close();
  store_thread.join();
  replay_thread = {};
  zap_thread = {};
  if (metrics_server) metrics_server->stop();
  const auto& stats = pipeline.stats();
  spdlog::info(
      "stopped: {} record(s), {} alert(s), {} duplicate(s), {} "
      "rejected, {} alert(s) suppressed as "
      "near-duplicates, {} throttled this run",
      stats.records, stats.alerts, stats.duplicates, stats.rejected, stats.suppressed, stats.throttled);
  return pipeline_failed ? kExitFailure : kExitOk;
}

}  // namespace wirewatch::daemon
