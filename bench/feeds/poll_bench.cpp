// Polling benchmark driver (run by bench/feeds/run_poll.sh): polls N feeds at
// BASE/feeds/00000.xml ... through HttpFetcher + FeedPoller + the feed parser,
// with `articles: false`, for two cycles; between them runs BETWEEN (a shell
// command that rewrites some of the files). Prints one JSON object: wall time
// of each cycle, what the polls found, and the process's peak RSS.
//
// This is the library path wirewatchd uses for feeds; the daemon's store (the
// seen set in SQLite) is stood in for by an in-memory set here. Once wirewatchd
// polls feeds itself, run_poll.sh can time the daemon instead.
//
//   poll_bench --base http://127.0.0.1:PORT --count 10000 [--between CMD] [--cycles 2]

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>

#include "wirewatch/connectors/feed_poller.hpp"

using namespace wirewatch::connectors;
using namespace std::chrono_literals;

namespace {

long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return 0;
}

struct Tally {
  std::mutex mutex;
  std::unordered_set<std::string> seen;  // stands in for the store's seen keys
  std::size_t results = 0, new_items = 0, not_modified = 0, parsed = 0, failed = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string base = "http://127.0.0.1:8080", between;
  int count = 10000, cycles = 2;
  HttpOptions http;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--base")
      base = v;
    else if (a == "--count")
      count = std::stoi(v);
    else if (a == "--between")
      between = v;
    else if (a == "--cycles")
      cycles = std::stoi(v);
    else if (a == "--max-per-host")
      http.max_per_host = std::stoi(v);
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }

  // An injected clock: a cycle is "the interval has passed", not a real wait.
  std::mutex clock_mutex;
  auto fake_now = std::chrono::system_clock::now();
  FeedPollerOptions options;
  options.now = [&] {
    std::lock_guard lock(clock_mutex);
    return fake_now;
  };

  Tally tally;
  HttpFetcher fetcher(http);
  FeedPoller poller(
      fetcher,
      [&](const std::string& id, const std::string& key) {
        std::lock_guard lock(tally.mutex);
        return tally.seen.contains(id + "\n" + key);
      },
      [&](FeedPollResult r) {
        std::lock_guard lock(tally.mutex);
        for (const auto& e : r.entries) tally.seen.insert(r.source_id + "\n" + e.key);
        ++tally.results;
        tally.new_items += r.entries.size();
        if (r.state.last_status == 304)
          ++tally.not_modified;
        else if (r.state.consecutive_failures == 0)
          ++tally.parsed;
        else
          ++tally.failed;
        return true;
      },
      options);

  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/feeds/%05d.xml", i);
    FeedSource s;
    s.id = "feed" + std::to_string(i);
    s.url = base + name;
    s.interval = 1h;
    poller.add(s);
  }

  nlohmann::json out;
  out["feeds"] = count;
  out["max_per_host"] = http.max_per_host;
  out["max_connections"] = http.max_connections;
  std::jthread runner([&](std::stop_token st) { poller.run(st); });
  for (int cycle = 1; cycle <= cycles; ++cycle) {
    if (cycle > 1) {
      if (!between.empty() && std::system(between.c_str()) != 0) {
        std::cerr << "the command between cycles failed\n";
        return 1;
      }
    }
    {  // counters per cycle; the seen set stays
      std::lock_guard lock(tally.mutex);
      tally.results = tally.new_items = tally.not_modified = tally.parsed = tally.failed = 0;
    }
    auto start = std::chrono::steady_clock::now();
    if (cycle > 1) {
      std::lock_guard lock(clock_mutex);
      fake_now += 2h;  // every feed is due
    }
    poller.wake();
    for (;;) {
      {
        std::lock_guard lock(tally.mutex);
        if (tally.results >= static_cast<std::size_t>(count)) break;
      }
      std::this_thread::sleep_for(1ms);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(tally.mutex);
    out["cycles"].push_back({{"cycle", cycle},
                             {"seconds", secs},
                             {"feeds_per_second", count / secs},
                             {"parsed", tally.parsed},
                             {"not_modified", tally.not_modified},
                             {"failed", tally.failed},
                             {"new_items", tally.new_items}});
  }
  runner.request_stop();
  runner.join();
  out["peak_rss_mib"] = static_cast<double>(peak_rss_kib()) / 1024.0;
  std::cout << out.dump() << "\n";
  return 0;
}
