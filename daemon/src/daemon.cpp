#include "wirewatch/daemon/daemon.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <mutex>
#include <thread>

#include "wirewatch/connectors/directory_source.hpp"
#include "wirewatch/connectors/feed_poller.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"
#include "wirewatch/daemon/bounded_queue.hpp"
#include "wirewatch/daemon/pipeline.hpp"
#include "wirewatch/daemon/metrics_server.hpp"
#include "wirewatch/daemon/replay.hpp"
#include "wirewatch/daemon/rules_watcher.hpp"
#include "wirewatch/daemon/service_notifier.hpp"

namespace wirewatch::daemon {
namespace {

constexpr std::size_t kQueueCapacity = 1024;

std::shared_ptr<const rules::RuleSet> load_and_report(const Config& config) {
  auto result = rules::load_rules(config.rules);
  for (const auto& d : result.diagnostics.items()) {
    if (d.severity == Severity::error) spdlog::error("{}", d.headline());
    else spdlog::warn("{}", d.headline());
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

  auto initial = load_and_report(config);
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
  std::unique_ptr<MetricsServer> metrics_server;
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
      replay = std::make_unique<ReplayServer>(zmq_context, config.publish.replay, database,
                                              config.publish.curve);
    }
    if (!config.metrics.listen.empty()) {
      metrics_server = std::make_unique<MetricsServer>(registry, config.metrics.listen);
    }
    write_endpoints(config.state_dir, *publisher, replay.get(), metrics_server.get());
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return kExitFailure;
  }
  for (const auto& ep : publisher->bound_endpoints()) spdlog::info("publishing on {}", ep);
  if (replay) {
    for (const auto& ep : replay->bound_endpoints()) spdlog::info("replay on {}", ep);
  }
  if (metrics_server) spdlog::info("metrics on http://{}/metrics", metrics_server->bound_address());
  std::jthread zap_thread, replay_thread;
  if (zap) zap_thread = std::jthread([&zap](std::stop_token st) { zap->serve(st); });
  if (replay) replay_thread = std::jthread([&replay](std::stop_token st) { replay->serve(st); });

  // sources ──► inputs ──► workers (prepare: normalize + match) ──► batches ──► store thread
  BoundedQueue<SourceInput> inputs(kQueueCapacity);
  BoundedQueue<StoreBatch> batches(kQueueCapacity);
  std::atomic<bool> pipeline_failed{false};
  Pipeline pipeline(*store, *publisher, rules,
                    {config.state_dir, store->instance_id(), config.publish.records, &metrics,
                     &notifier, config.retention});

  // The store-and-publish thread: the only user of the Store and the Publisher
  // from here until it is joined. It wakes for batches and for the heartbeat,
  // and commits whatever is waiting in one transaction.
  std::thread store_thread([&] {
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

  std::vector<std::thread> workers;
  const unsigned worker_count = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < worker_count; ++i) {
    workers.emplace_back([&] {
      while (auto input = inputs.pop()) {
        auto snapshot = rules.get();
        if (!batches.push(prepare(*input, *snapshot))) break;
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
    seen_store = std::make_unique<Store>(database);
    fetcher = std::make_unique<connectors::HttpFetcher>(config.http);
    poller = std::make_unique<connectors::FeedPoller>(
        *fetcher,
        [&](const std::string& source, const std::string& key) {
          std::lock_guard lock(seen_mutex);
          return seen_store->item_seen(source, key);
        },
        [&inputs](connectors::FeedPollResult result) { return inputs.push(std::move(result)); });
    for (const auto& sc : config.sources) {
      if (sc.type != SourceConfig::Type::feed) continue;
      auto state = seen_store->feed_state(sc.id).value_or(connectors::FeedState{});
      poller->add({sc.id, sc.url, sc.interval, sc.articles}, state);
    }
  }

  // Rule files are watched: an edit reloads them as SIGHUP does.
  RulesWatcher rules_watcher(config.rules);
  std::jthread rules_watch_thread([&rules_watcher](std::stop_token st) { rules_watcher.run(st); });

  std::vector<std::jthread> sources;
  if (poller) poller_thread = std::jthread([&poller](std::stop_token st) { poller->run(st); });
  for (const auto& sc : config.sources) {
    if (sc.type != SourceConfig::Type::directory) continue;
    connectors::DirectorySourceOptions opts;
    opts.source_id = sc.id;
    opts.path = sc.path;
    sources.emplace_back([&inputs, opts](std::stop_token stop) {
      connectors::DirectorySource source(opts);
      source.run([&](connectors::DirectoryItem item) { return inputs.push(std::move(item)); },
                 stop);
    });
  }
  spdlog::info("wirewatchd started: {} source(s), state in {}", config.sources.size(),
               config.state_dir.string());
  if (metrics_server) metrics_server->set_ready(true);
  notifier.ready();

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&signals, &info);
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading rules");
      notifier.reloading();
      if (auto fresh = load_and_report(config)) {
        auto n = fresh->size();
        rules.set(std::move(fresh));
        metrics.rules_reloaded(true, n);
        spdlog::info("rules reloaded: {} rule(s) active", n);
      } else {
        metrics.rules_reloaded(false, 0);
        spdlog::error("rules reload refused; the previous rules stay active");
      }
      notifier.ready();
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
      "stopped: {} record(s), {} alert(s), {} duplicate(s), {} rejected, {} alert(s) suppressed as "
      "near-duplicates, {} throttled this run",
      stats.records, stats.alerts, stats.duplicates, stats.rejected, stats.suppressed,
      stats.throttled);
  return pipeline_failed ? kExitFailure : kExitOk;
}

}  // namespace wirewatch::daemon
