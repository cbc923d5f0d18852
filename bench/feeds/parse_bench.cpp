// wirewatch's side of the parsing benchmark (bench/feeds/run_parse.sh): the
// library path of `wirewatch parse-feed` (connectors::parse_feed) over a set of
// feed files held in memory, on one thread, timed in CPU time of that thread
// (the machine is shared: wall time would measure the neighbours).
//
//   bench_feeds_parse [--seconds S] FILE...
//
// Prints one JSON object: feeds, bytes, entries, bozo, cpu_seconds, wall_seconds,
// feeds_per_s and mb_per_s (per CPU second).
#include <time.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "wirewatch/connectors/feed_parser.hpp"

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  double seconds = 3.0;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc)
      seconds = std::stod(argv[++i]);
    else
      paths.push_back(a);
  }
  if (paths.empty()) {
    std::cerr << "usage: bench_feeds_parse [--seconds S] FILE...\n";
    return 64;
  }
  struct Feed {
    wirewatch::connectors::FeedParseOptions options;
    std::string bytes;
  };
  std::vector<Feed> feeds;
  std::size_t total_bytes = 0;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      std::cerr << "bench_feeds_parse: cannot open " << p << '\n';
      return 1;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    Feed f;
    f.options.base_url = "https://bench.example/feeds/" + std::filesystem::path(p).filename().string();
    f.bytes = std::move(buf).str();
    total_bytes += f.bytes.size();
    feeds.push_back(std::move(f));
  }
  std::size_t passes = 0, entries = 0, bozo = 0, failed = 0;
  const auto start = Clock::now();
  const double cpu_start = thread_cpu_seconds();
  double elapsed = 0;
  do {
    entries = bozo = failed = 0;
    for (const auto& f : feeds) {
      const auto parsed = wirewatch::connectors::parse_feed(f.bytes, f.options);
      entries += parsed.entries.size();
      bozo += parsed.bozo ? 1 : 0;
      failed += parsed.ok() ? 0 : 1;
    }
    ++passes;
    elapsed = thread_cpu_seconds() - cpu_start;
  } while (elapsed < seconds);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double fps = static_cast<double>(feeds.size() * passes) / elapsed;
  const double mbps = static_cast<double>(total_bytes * passes) / elapsed / 1e6;
  nlohmann::json out = {{"parser", "wirewatch parse_feed"},
                        {"feeds", feeds.size()},
                        {"bytes", total_bytes},
                        {"entries", entries},
                        {"bozo", bozo},
                        {"failed", failed},
                        {"passes", passes},
                        {"cpu_seconds", elapsed},
                        {"wall_seconds", wall},
                        {"feeds_per_s", fps},
                        {"mb_per_s", mbps}};
  std::cout << out.dump() << '\n';
  return 0;
}
